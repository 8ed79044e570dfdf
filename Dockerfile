# peerscout's image: a build stage with the toolchain, and a runtime stage holding the binary and
# only the shared libraries it links. The base image is an argument so the image builds where no
# registry is reachable (scripts/docker-base-image.sh makes one from debootstrap).
#   docker build --build-arg BASE_IMAGE=peerscout-base:bookworm -t peerscout .
ARG BASE_IMAGE=debian:bookworm-slim

FROM ${BASE_IMAGE} AS build
WORKDIR /src
COPY scripts/setup.sh scripts/
RUN bash scripts/setup.sh
# Only what the binary is built from, so a change to the tests or docs reuses this layer.
COPY CMakeLists.txt LAYERS ./
COPY cmake cmake
COPY sidecar sidecar
COPY adapters adapters
COPY contrib/deb contrib/deb
RUN cmake -S . -B /build -G Ninja -DCMAKE_BUILD_TYPE=Release -DPEERSCOUT_BUILD_TESTS=OFF \
    && cmake --build /build --target peerscout \
    && strip /build/peerscout
# The runtime packages are the ones that own the libraries the binary links, so this list can
# never drift from the build.
RUN for lib in $(ldd /build/peerscout | awk '$3 ~ /^\// {print $3}'); do \
      path=$(readlink -f "$lib"); \
      dpkg -S "$path" 2>/dev/null || dpkg -S "${path#/usr}" 2>/dev/null || dpkg -S "/usr$path"; \
    done | cut -d: -f1 | sort -u >/build/runtime-packages \
    && cat /build/runtime-packages

FROM ${BASE_IMAGE}
COPY --from=build /build/runtime-packages /tmp/runtime-packages
RUN apt-get update -qq \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
         ca-certificates $(cat /tmp/runtime-packages) >/dev/null \
    && rm -rf /var/lib/apt/lists/* /tmp/runtime-packages \
    && useradd --system --uid 10001 --user-group --no-create-home --home-dir /run/peerscout peerscout \
    && install -d -o peerscout -g peerscout -m 0750 /run/peerscout
COPY --from=build /build/peerscout /usr/bin/peerscout
COPY sidecar.toml.example /etc/peerscout/sidecar.toml
USER peerscout
VOLUME /run/peerscout
# The API socket and the output files live in /run/peerscout; share the volume with the app.
HEALTHCHECK --interval=5s --timeout=3s --start-period=30s --retries=3 CMD ["peerscout", "health"]
ENTRYPOINT ["peerscout"]
CMD ["run", "--config", "/etc/peerscout/sidecar.toml"]
