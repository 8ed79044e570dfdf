#!/usr/bin/env python3
"""Checks what kubectl-validate cannot: the values that make peerscout a working, hardened sidecar.

kubectl-validate knows the Kubernetes API types (unknown fields, wrong types) but not which values
matter to us: `restartPolicy: Sometimes` is a valid string to it. This script reads the manifests
and refuses a pod template whose peerscout container

  - is not a native sidecar (an init container with restartPolicy: Always),
  - lacks a startup, readiness or liveness probe that runs `peerscout health`,
  - lacks any of the hardening (runAsNonRoot, a non-root runAsUser, readOnlyRootFilesystem,
    allowPrivilegeEscalation false, capabilities drop ALL, seccompProfile RuntimeDefault),
  - has no memory and cpu requests and limits,
  - does not read its config from a ConfigMap, its runtime_dir from an emptyDir the app shares,
    or the Headscale key from a Secret mounted as a file,

or where any container gets a secret through its environment. It writes the config the sidecar
reads (the ConfigMap's entry) to --config-out, for `peerscout check-config`.

Usage:
  k8s_check.py merge OUT BASE.yaml... [--replace CASE.yaml]   # BASE with CASE's objects swapped in
  k8s_check.py check MANIFEST.yaml... --config-out FILE
Exit status: 0 when every check passes, 1 with one line per problem on stderr, 2 on bad usage.
"""

import posixpath
import sys
import tomllib

import yaml

POD_TEMPLATE_KINDS = {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job"}
DEFAULT_RUNTIME_DIR = "/run/peerscout"


class Problems:
    def __init__(self):
        self.lines = []

    def add(self, where, text):
        self.lines.append(f"{where}: {text}")


def load_documents(path):
    with open(path, encoding="utf-8") as stream:
        return [doc for doc in yaml.safe_load_all(stream) if doc is not None]


def object_key(doc):
    return (doc.get("kind"), (doc.get("metadata") or {}).get("name"))


def merge(out, bases, replacement):
    """Writes BASE's objects to OUT, each replaced by CASE's object of the same kind and name."""
    swaps = {object_key(doc): doc for doc in load_documents(replacement)} if replacement else {}
    merged, used = [], set()
    for base in bases:
        for doc in load_documents(base):
            key = object_key(doc)
            merged.append(swaps.get(key, doc))
            used.add(key)
    merged += [doc for key, doc in swaps.items() if key not in used]
    with open(out, "w", encoding="utf-8") as stream:
        yaml.safe_dump_all(merged, stream, sort_keys=False)


def pod_specs(docs):
    for doc in docs:
        kind = doc.get("kind")
        name = f"{kind}/{(doc.get('metadata') or {}).get('name')}"
        if kind == "Pod":
            yield name, doc.get("spec") or {}
        elif kind in POD_TEMPLATE_KINDS:
            yield name, ((doc.get("spec") or {}).get("template") or {}).get("spec") or {}


def argv(container):
    return [str(word) for word in (container.get("command") or []) + (container.get("args") or [])]


def runs_peerscout(words):
    return len(words) >= 2 and posixpath.basename(words[0]) == "peerscout"


def is_sidecar_run(container):
    words = argv(container)
    return runs_peerscout(words) and words[1] == "run"


def check_probes(where, container, problems):
    for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
        command = ((container.get(probe) or {}).get("exec") or {}).get("command") or []
        words = [str(word) for word in command]
        if not (runs_peerscout(words) and words[1] == "health"):
            problems.add(where, f"{probe} must be exec `peerscout health`, not {words or 'absent'}")


def effective(pod_context, container_context, key):
    """A container's security setting, which wins over the pod's where both can say it."""
    if key in container_context:
        return container_context[key]
    return pod_context.get(key)


def check_hardening(where, pod_spec, container, problems):
    pod_context = pod_spec.get("securityContext") or {}
    context = container.get("securityContext") or {}
    if effective(pod_context, context, "runAsNonRoot") is not True:
        problems.add(where, "securityContext.runAsNonRoot must be true")
    user = effective(pod_context, context, "runAsUser")
    if not isinstance(user, int) or user == 0:
        problems.add(where, "securityContext.runAsUser must be a non-root user id")
    if context.get("readOnlyRootFilesystem") is not True:
        problems.add(where, "securityContext.readOnlyRootFilesystem must be true")
    if context.get("allowPrivilegeEscalation") is not False:
        problems.add(where, "securityContext.allowPrivilegeEscalation must be false")
    if context.get("privileged") is True:
        problems.add(where, "securityContext.privileged must not be true")
    capabilities = context.get("capabilities") or {}
    if "ALL" not in (capabilities.get("drop") or []):
        problems.add(where, "securityContext.capabilities.drop must hold ALL")
    if capabilities.get("add"):
        problems.add(where, f"securityContext.capabilities.add must be empty: {capabilities['add']}")
    seccomp = effective(pod_context, context, "seccompProfile") or {}
    if seccomp.get("type") != "RuntimeDefault":
        problems.add(where, "securityContext.seccompProfile.type must be RuntimeDefault")


def check_resources(where, container, problems):
    resources = container.get("resources") or {}
    for bound in ("requests", "limits"):
        for resource in ("cpu", "memory"):
            if resource not in (resources.get(bound) or {}):
                problems.add(where, f"resources.{bound}.{resource} must be set")


def check_environment(where, pod_spec, problems):
    """Secrets reach a process's environment in /proc and crash dumps: only files are allowed."""
    containers = (pod_spec.get("initContainers") or []) + (pod_spec.get("containers") or [])
    for container in containers:
        name = f"{where} container {container.get('name')}"
        for variable in container.get("env") or []:
            if "secretKeyRef" in (variable.get("valueFrom") or {}):
                problems.add(name, f"env {variable.get('name')} comes from a Secret; mount it as a file")
            elif "API_KEY" in str(variable.get("name", "")).upper():
                problems.add(name, f"env {variable.get('name')} holds a key; mount it as a file")
        for source in container.get("envFrom") or []:
            if "secretRef" in source:
                problems.add(name, "envFrom a Secret; mount it as a file")


def mount_of(container, volumes, path):
    """The (mount, volume) holding PATH in the container, the deepest mount first."""
    best = None
    for mount in container.get("volumeMounts") or []:
        root = str(mount.get("mountPath", "")).rstrip("/")
        if path == root or path.startswith(root + "/"):
            if best is None or len(root) > len(best[0]["mountPath"].rstrip("/")):
                best = (mount, volumes.get(mount.get("name"), {}))
    return best


def config_path(container):
    words = argv(container)
    for index, word in enumerate(words):
        if word in ("-c", "--config") and index + 1 < len(words):
            return words[index + 1]
        if word.startswith("--config="):
            return word.split("=", 1)[1]
    for variable in container.get("env") or []:
        if variable.get("name") == "PEERSCOUT_CONFIG" and "value" in variable:
            return str(variable["value"])
    return None


def config_text(where, container, volumes, config_maps, problems):
    """The sidecar.toml the container reads, from the ConfigMap mounted where it looks."""
    path = config_path(container)
    if path is None:
        problems.add(where, "no config: pass --config or set PEERSCOUT_CONFIG")
        return None
    found = mount_of(container, volumes, path)
    if found is None or "configMap" not in found[1]:
        problems.add(where, f"config {path} is not on a ConfigMap volume")
        return None
    mount, volume = found
    relative = posixpath.relpath(path, mount["mountPath"])
    if mount.get("subPath"):
        relative = mount["subPath"] if relative == "." else posixpath.join(mount["subPath"], relative)
    source = volume["configMap"]
    key = relative
    for item in source.get("items") or []:
        if item.get("path") == relative:
            key = item.get("key")
    data = (config_maps.get(source.get("name")) or {}).get("data") or {}
    if key not in data:
        problems.add(where, f"config {path}: ConfigMap {source.get('name')} has no key {key}")
        return None
    return data[key]


def check_config_mounts(where, pod_spec, container, volumes, config, problems):
    runtime_dir = config.get("runtime_dir", DEFAULT_RUNTIME_DIR)
    found = mount_of(container, volumes, runtime_dir)
    if found is None or found[0]["mountPath"].rstrip("/") != runtime_dir.rstrip("/") or (
        "emptyDir" not in found[1]
    ):
        problems.add(where, f"runtime_dir {runtime_dir} must be an emptyDir mounted there")
    else:
        volume = found[0]["name"]
        apps = pod_spec.get("containers") or []
        if not any(m.get("name") == volume for app in apps for m in app.get("volumeMounts") or []):
            problems.add(where, f"no app container mounts {volume}, so none can read the peers")
    for name, source in (config.get("sources") or {}).items():
        if source.get("type", name) != "headscale" or source.get("enabled", True) is False:
            continue
        key_file = source.get("api_key_file", "")
        found = mount_of(container, volumes, key_file) if key_file else None
        if found is None or "secret" not in found[1]:
            problems.add(where, f"sources.{name}.api_key_file must be a file on a Secret volume")


def check_sidecar(where, pod_spec, container, config_maps, config_out, problems):
    where = f"{where} initContainer {container.get('name')}"
    if container.get("restartPolicy") != "Always":
        problems.add(where, f"restartPolicy must be Always, not {container.get('restartPolicy')}")
    check_probes(where, container, problems)
    check_hardening(where, pod_spec, container, problems)
    check_resources(where, container, problems)
    volumes = {volume.get("name"): volume for volume in pod_spec.get("volumes") or []}
    text = config_text(where, container, volumes, config_maps, problems)
    if text is None:
        return
    with open(config_out, "w", encoding="utf-8") as stream:
        stream.write(text)
    try:
        config = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        problems.add(where, f"config is not TOML: {error}")
        return
    check_config_mounts(where, pod_spec, container, volumes, config, problems)


def check(manifests, config_out):
    docs = [doc for manifest in manifests for doc in load_documents(manifest)]
    problems = Problems()
    config_maps = {
        (doc.get("metadata") or {}).get("name"): doc for doc in docs if doc.get("kind") == "ConfigMap"
    }
    sidecars = 0
    for where, pod_spec in pod_specs(docs):
        check_environment(where, pod_spec, problems)
        for container in pod_spec.get("containers") or []:
            if is_sidecar_run(container):
                problems.add(where, f"container {container.get('name')} runs peerscout: make it a "
                             "native sidecar (an init container with restartPolicy: Always)")
        for container in pod_spec.get("initContainers") or []:
            if is_sidecar_run(container):
                sidecars += 1
                check_sidecar(where, pod_spec, container, config_maps, config_out, problems)
    if sidecars == 0:
        problems.add(" ".join(manifests), "no init container runs `peerscout run`")
    for line in problems.lines:
        print(f"k8s_check: {line}", file=sys.stderr)
    return 1 if problems.lines else 0


def main(args):
    if len(args) >= 3 and args[0] == "merge":
        replacement = None
        if "--replace" in args:
            at = args.index("--replace")
            replacement = args[at + 1]
            args = args[:at] + args[at + 2:]
        merge(args[1], args[2:], replacement)
        return 0
    if len(args) >= 4 and args[0] == "check" and args[-2] == "--config-out":
        return check(args[1:-2], args[-1])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
