"""What /proc says of a process, for the footprint benchmarks."""
import os

TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid):
    """User plus system CPU time the process has used."""
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def smaps_rollup_kb(pid):
    """Every kB figure of /proc/PID/smaps_rollup, by its name (Rss, Pss, Anonymous, ...)."""
    values = {}
    for line in open(f"/proc/{pid}/smaps_rollup"):
        key, _, rest = line.partition(":")
        words = rest.split()
        if len(words) == 2 and words[1] == "kB":
            values[key] = int(words[0])
    return values
