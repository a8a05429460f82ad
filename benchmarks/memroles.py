"""Memory of a render's process tree by role (main, synthesis worker, plot helper, ffmpeg).

Used by ``benchmarks/book.py``: every sample reads each process's ``/proc/<pid>/smaps_rollup``
(RSS, PSS and PSS split into anonymous memory and file pages, e.g. a memory-mapped mix) and
keeps, per role, the largest single process and the role's sum, with the time and the
chapters being mixed then; and the same for the whole tree.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from pathlib import Path

import psutil

MB = 2**20
_FOLDER = re.compile(r"^\d{2,}$")


def classify(proc: psutil.Process, root_pid: int) -> str:
    """The role of one process of a ``castwright render`` tree, from its command line."""
    if proc.pid == root_pid:
        return "main"
    try:
        cmd = proc.cmdline()
    except psutil.Error:
        return "gone"
    line = " ".join(cmd)
    if cmd and "ffmpeg" in Path(cmd[0]).name:
        if "pipe:0" in cmd:
            return "ffmpeg encode"
        if "pipe:1" in cmd:
            return "ffmpeg measure"
        return "ffmpeg other"
    if "resource_tracker" in line:
        return "resource tracker"
    if "multiprocessing.spawn" in line or "spawn_main" in line:
        return "synthesis worker"
    if "multiprocessing.forkserver" in line:  # the server holds the models its workers share
        return "fork server" if proc.ppid() == root_pid else "synthesis worker"
    if "pipeline.cli" in line:  # a fork of the main process: the plot helper
        return "plot helper (fork)"
    return "other"


def rollup(pid: int) -> dict[str, int] | None:
    """Rss, Pss, Pss_Anon, Pss_File of a process, in bytes (None if it is gone)."""
    try:
        text = Path(f"/proc/{pid}/smaps_rollup").read_text()
    except OSError:
        return None
    out = {}
    for line in text.splitlines()[1:]:
        name, _, rest = line.partition(":")
        if name in ("Rss", "Pss", "Pss_Anon", "Pss_File", "Pss_Shmem"):
            out[name] = int(rest.split()[0]) * 1024
    return out


@dataclass
class Peak:
    mb: float = 0.0
    at: float = 0.0  # seconds into the run
    mixing: str = ""  # chapter folders being mixed then
    detail: dict = field(default_factory=dict)

    def offer(self, value: int, at: float, mixing: str, detail: dict | None = None) -> None:
        if value / MB > self.mb:
            self.mb, self.at, self.mixing = round(value / MB, 1), round(at, 1), mixing
            self.detail = {k: round(v / MB, 1) for k, v in (detail or {}).items()}


@dataclass
class RoleStats:
    process_rss: Peak = field(default_factory=Peak)  # the largest single process of the role
    process_pss: Peak = field(default_factory=Peak)
    sum_pss: Peak = field(default_factory=Peak)  # all processes of the role at once
    most: int = 0  # most processes of the role at once


class RoleSampler:
    """Feed it the tree every sample; ``report()`` gives the peaks by role and of the tree."""

    def __init__(self, root_pid: int, season_dir: Path | None = None):
        self.root_pid, self.season_dir = root_pid, season_dir
        self.roles: dict[str, RoleStats] = {}
        self.tree_pss, self.tree_rss = Peak(), Peak()
        self._roles_of: dict[int, str] = {}
        self.tree_samples: list[float] = []  # tree PSS (MB) at every sample
        self._mixing, self._mixing_at = "", -1.0

    def mixing(self, at: float) -> str:
        """Chapter folders holding staged (temp) files: the episodes being written now."""
        if self.season_dir is None:
            return ""
        if at - self._mixing_at >= 1.0:
            self._mixing_at = at
            try:
                busy = sorted(d.name for d in self.season_dir.iterdir()
                              if _FOLDER.match(d.name) and any(".tmp" in f.name
                                                               for f in d.iterdir()))
            except OSError:
                busy = []
            self._mixing = ",".join(busy)
        return self._mixing

    def sample(self, procs: list[psutil.Process], at: float) -> None:
        mixing = self.mixing(at)
        sums: dict[str, int] = {}
        counts: dict[str, int] = {}
        tree_pss = tree_rss = 0
        parts: dict[str, int] = {}
        for proc in procs:
            role = self._roles_of.get(proc.pid) or classify(proc, self.root_pid)
            self._roles_of[proc.pid] = role
            mem = rollup(proc.pid)
            if mem is None:
                continue
            stats = self.roles.setdefault(role, RoleStats())
            detail = {"pss_anon": mem.get("Pss_Anon", 0), "pss_file": mem.get("Pss_File", 0),
                      "rss": mem.get("Rss", 0)}
            stats.process_rss.offer(mem.get("Rss", 0), at, mixing, detail)
            stats.process_pss.offer(mem.get("Pss", 0), at, mixing, detail)
            sums[role] = sums.get(role, 0) + mem.get("Pss", 0)
            counts[role] = counts.get(role, 0) + 1
            tree_pss += mem.get("Pss", 0)
            tree_rss += mem.get("Rss", 0)
            parts[role] = parts.get(role, 0) + mem.get("Pss", 0)
        for role, total in sums.items():
            self.roles[role].sum_pss.offer(total, at, mixing)
            self.roles[role].most = max(self.roles[role].most, counts[role])
        self.tree_pss.offer(tree_pss, at, mixing, parts)
        self.tree_samples.append(tree_pss / MB)
        self.tree_rss.offer(tree_rss, at, mixing)

    def report(self) -> dict:
        ordered = sorted(self.tree_samples) or [0.0]
        return {"tree_pss": asdict(self.tree_pss), "tree_rss": asdict(self.tree_rss),
                "tree_pss_median_mb": round(ordered[len(ordered) // 2], 1),
                "tree_pss_p90_mb": round(ordered[int(len(ordered) * 0.9)], 1),
                "roles": {role: asdict(s) for role, s in sorted(self.roles.items())}}


def table(report: dict) -> str:
    """The per-role peaks as a Markdown table."""
    rows = ["| role | most at once | largest process RSS (MB) | largest process PSS (MB; anon "
            "/ file) | role's sum PSS (MB) | at (s), mixing |", "|---|---|---|---|---|---|"]
    for role, s in report["roles"].items():
        pss = s["process_pss"]
        rows.append(f"| {role} | {s['most']} | {s['process_rss']['mb']:.0f} | {pss['mb']:.0f} "
                    f"({pss['detail'].get('pss_anon', 0):.0f} / "
                    f"{pss['detail'].get('pss_file', 0):.0f}) | {s['sum_pss']['mb']:.0f} | "
                    f"{s['sum_pss']['at']:.0f}, {s['sum_pss']['mixing'] or '-'} |")
    tree = report["tree_pss"]
    split = ", ".join(f"{k} {v:.0f}" for k, v in tree["detail"].items())
    rows.append(f"| **tree** | | {report['tree_rss']['mb']:.0f} (sum of RSS) | | "
                f"**{tree['mb']:.0f}** ({split}) | {tree['at']:.0f}, {tree['mixing'] or '-'} |")
    return "\n".join(rows)
