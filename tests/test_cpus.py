"""The CPUs a run may use: affinity and cgroup quotas, read from a made-up /proc and
cgroup tree, then from the real ones where this machine lets a test set them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from orglint import cpus, engine, pool
from orglint.config import load_settings
from orglint.engine import Request, plan, run
from orglint.files import gather

V2_MOUNT = "40 31 0:38 {root} {point} rw,relatime - cgroup2 cgroup2 rw\n"
V1_MOUNT = "32 31 0:29 {root} {point} rw,relatime - cgroup cgroup rw,{options}\n"


def fake_proc(tmp_path: Path, cgroup: str, mountinfo: str) -> str:
    proc = tmp_path / "proc"
    proc.mkdir()
    (proc / "cgroup").write_text(cgroup)
    (proc / "mountinfo").write_text(mountinfo)
    return str(proc)


def write(folder: Path, name: str, text: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text)


def test_v2_quota_in_whole_cpus_the_tightest_level_wins(tmp_path: Path) -> None:
    tree = tmp_path / "cg"
    write(tree / "ci" / "job", "cpu.max", "400000 100000\n")  # 4 CPUs for the job
    write(tree / "ci", "cpu.max", "250000 100000\n")  # 2.5 for its parent: 2 whole
    write(tree, "cpu.max", "max 100000\n")
    proc = fake_proc(tmp_path, "0::/ci/job\n", V2_MOUNT.format(root="/", point=tree))
    assert cpus.cgroup_quota(proc) == 2


def test_v2_without_a_limit_is_none(tmp_path: Path) -> None:
    tree = tmp_path / "cg"
    write(tree / "job", "cpu.max", "max 100000\n")
    proc = fake_proc(tmp_path, "0::/job\n", V2_MOUNT.format(root="/", point=tree))
    assert cpus.cgroup_quota(proc) is None


def test_a_quota_under_one_cpu_is_one(tmp_path: Path) -> None:
    tree = tmp_path / "cg"
    write(tree, "cpu.max", "50000 100000\n")  # docker --cpus 0.5
    proc = fake_proc(tmp_path, "0::/\n", V2_MOUNT.format(root="/", point=tree))
    assert cpus.cgroup_quota(proc) == 1


def test_v1_cpu_controller_mounted_at_the_containers_own_cgroup(tmp_path: Path) -> None:
    # Docker on cgroup v1 without a cgroup namespace: /proc/self/cgroup names the full
    # path, and the container sees that cgroup as its mount's root.
    tree = tmp_path / "cpu,cpuacct"
    write(tree, "cpu.cfs_quota_us", "200000\n")
    write(tree, "cpu.cfs_period_us", "100000\n")
    proc = fake_proc(
        tmp_path, "12:memory:/docker/abc\n4:cpu,cpuacct:/docker/abc\n0::/\n",
        V1_MOUNT.format(root="/docker/abc", point=tree, options="cpu,cpuacct"))
    assert cpus.cgroup_quota(proc) == 2


def test_v1_without_a_quota_is_none(tmp_path: Path) -> None:
    tree = tmp_path / "cpu"
    write(tree / "job", "cpu.cfs_quota_us", "-1\n")
    write(tree / "job", "cpu.cfs_period_us", "100000\n")
    proc = fake_proc(tmp_path, "1:cpu:/job\n",
                     V1_MOUNT.format(root="/", point=tree, options="cpu"))
    assert cpus.cgroup_quota(proc) is None


def test_a_mount_point_with_a_space_is_unescaped(tmp_path: Path) -> None:
    tree = tmp_path / "c g"
    write(tree, "cpu.max", "300000 100000\n")
    point = str(tree).replace(" ", "\\040")
    proc = fake_proc(tmp_path, "0::/\n", V2_MOUNT.format(root="/", point=point))
    assert cpus.cgroup_quota(proc) == 3


def test_a_cgroup_path_that_climbs_out_of_its_mount_is_not_read(tmp_path: Path) -> None:
    tree = tmp_path / "cg"
    tree.mkdir()
    write(tmp_path, "cpu.max", "100000 100000\n")  # outside the mount: never read
    proc = fake_proc(tmp_path, "0::/../\n", V2_MOUNT.format(root="/", point=tree))
    assert cpus.cgroup_quota(proc) is None


def test_no_proc_no_quota(tmp_path: Path) -> None:
    assert cpus.cgroup_quota(str(tmp_path / "missing")) is None


# A container's own files on a cgroup v1 host (Docker without a cgroup namespace): one
# line per hierarchy, cpuset and cpuacct beside cpu, and a v2 mount with no controller.
DOCKER_V1_CGROUP = """12:cpuset:/docker/abc
11:memory:/docker/abc
4:cpu,cpuacct:/docker/abc
1:name=systemd:/docker/abc
0::/system.slice/containerd.service
"""
DOCKER_V1_MOUNTS = """\
700 690 0:62 / / rw,relatime master:1 - overlay overlay rw,lowerdir=/l,upperdir=/u
710 700 0:66 / /sys/fs/cgroup ro,nosuid - tmpfs tmpfs rw,mode=755
711 710 0:30 /docker/abc {cpuset} ro,nosuid - cgroup cgroup rw,cpuset
712 710 0:31 /docker/abc {memory} ro,nosuid - cgroup cgroup rw,memory
713 710 0:32 /docker/abc {cpu} ro,nosuid - cgroup cgroup rw,cpu,cpuacct
714 710 0:33 /docker/abc {unified} ro,nosuid - cgroup2 cgroup2 rw
"""


def test_a_docker_container_on_a_v1_host(tmp_path: Path) -> None:
    folders = {name: tmp_path / "fs" / name for name in ("cpuset", "memory", "cpu", "unified")}
    for folder in folders.values():
        folder.mkdir(parents=True)
    # Decoys: the quota files only the cpu controller's mount should be read for.
    write(folders["cpuset"], "cpu.cfs_quota_us", "100000\n")
    write(folders["cpuset"], "cpu.cfs_period_us", "100000\n")
    write(folders["memory"], "cpu.cfs_quota_us", "100000\n")
    write(folders["memory"], "cpu.cfs_period_us", "100000\n")
    write(folders["unified"], "cpu.max", "max 100000\n")
    write(folders["cpu"], "cpu.cfs_quota_us", "300000\n")  # docker --cpus 3
    write(folders["cpu"], "cpu.cfs_period_us", "100000\n")
    proc = fake_proc(tmp_path, DOCKER_V1_CGROUP,
                     DOCKER_V1_MOUNTS.format(**{k: str(v) for k, v in folders.items()}))
    assert cpus.cgroup_quota(proc) == 3


def test_a_limit_set_between_the_process_and_the_mount(tmp_path: Path) -> None:
    tree = tmp_path / "cg"
    write(tree / "user.slice" / "ci.slice" / "job.scope", "cpu.max", "max 100000\n")
    write(tree / "user.slice" / "ci.slice", "cpu.max", "150000 100000\n")  # the slice's
    write(tree / "user.slice", "cpu.max", "max 100000\n")
    proc = fake_proc(tmp_path, "0::/user.slice/ci.slice/job.scope\n",
                     V2_MOUNT.format(root="/", point=tree))
    assert cpus.cgroup_quota(proc) == 1


def test_the_tighter_of_v1_and_v2(tmp_path: Path) -> None:
    v1, v2 = tmp_path / "cpu", tmp_path / "unified"
    write(v1, "cpu.cfs_quota_us", "400000\n")
    write(v1, "cpu.cfs_period_us", "100000\n")
    write(v2, "cpu.max", "200000 100000\n")
    proc = fake_proc(tmp_path, "1:cpu:/\n0::/\n",
                     V1_MOUNT.format(root="/", point=v1, options="cpu")
                     + V2_MOUNT.format(root="/", point=v2))
    assert cpus.cgroup_quota(proc) == 2


@pytest.mark.parametrize(("path", "expected"), [("/", None), ("/..", None), ("/../x", None),
                                               ("/../../job", 1)])
def test_a_namespaced_mount_shows_only_the_cgroups_below_its_root(
        tmp_path: Path, path: str, expected: int | None) -> None:
    # A cgroup namespace entered without mounting its own cgroup file system: the
    # mount's root reads "/../.." from inside; a cgroup not below it is not shown there.
    tree = tmp_path / "cg"
    write(tree, "cpu.max", "100000 100000\n")
    proc = fake_proc(tmp_path, f"0::{path}\n", V2_MOUNT.format(root="/../..", point=tree))
    assert cpus.cgroup_quota(proc) == expected


def test_a_mount_point_not_absolute_is_not_read(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "relative", "cpu.max", "100000 100000\n")
    proc = fake_proc(tmp_path, "0::/\n", V2_MOUNT.format(root="/", point="relative"))
    assert cpus.cgroup_quota(proc) is None


@pytest.mark.parametrize("limit", [
    "\u00b2 1", "100000 \u00b9",  # digits to str.isdigit, not to int()
    "\uff12\uff10\uff10 \uff11\uff10\uff10",  # full-width digits
    "9" * 5000 + " 100000",  # past int()'s 4,300 digits
    "100000 0", "-1 100000"])
def test_a_quota_the_kernel_would_not_write_is_no_quota(tmp_path: Path, limit: str) -> None:
    tree = tmp_path / "cg"
    write(tree, "cpu.max", limit)
    proc = fake_proc(tmp_path, "0::/\n", V2_MOUNT.format(root="/", point=tree))
    assert cpus.cgroup_quota(proc) is None


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this OS")
def test_a_fifo_for_a_quota_file_is_not_waited_on(tmp_path: Path) -> None:
    tree = tmp_path / "cg"
    tree.mkdir()
    os.mkfifo(tree / "cpu.max")
    proc = fake_proc(tmp_path, "0::/\n", V2_MOUNT.format(root="/", point=tree))
    assert cpus.cgroup_quota(proc) is None


def test_many_lines_cost_one_pass_each(tmp_path: Path) -> None:
    # Hostile sizes (a real /proc/self/cgroup has a dozen lines): each file is read
    # once, not once per line of the other.
    tree = tmp_path / "cg"
    write(tree, "cpu.max", "200000 100000\n")
    mounts = V2_MOUNT.format(root="/elsewhere", point=tree) * 5_000 + \
        V2_MOUNT.format(root="/", point=tree)
    proc = fake_proc(tmp_path, "0::/\n" * 20_000 + "1:cpu:/\n" * 20_000, mounts)
    assert cpus.cgroup_quota(proc) == 2


def test_usable_takes_the_smaller_of_affinity_and_quota(
        monkeypatch: pytest.MonkeyPatch) -> None:
    for affinity, quota, expected in ((4, 2, 2), (2, 8, 2), (3, None, 3)):
        monkeypatch.setattr(cpus, "_affinity", lambda affinity=affinity: affinity)
        monkeypatch.setattr(cpus, "cgroup_quota", lambda quota=quota: quota)
        assert cpus.usable() == expected


@settings(max_examples=200, deadline=None, derandomize=True)
@given(cgroup=st.text(max_size=200), mountinfo=st.text(max_size=400),
       limit=st.text(max_size=40))
def test_any_bytes_in_those_files_give_a_count_or_none(tmp_path_factory: pytest.TempPathFactory,
                                                        cgroup: str, mountinfo: str,
                                                        limit: str) -> None:
    tmp = tmp_path_factory.mktemp("proc")
    tree = tmp / "cg"
    write(tree, "cpu.max", limit)
    write(tree, "cpu.cfs_quota_us", limit)
    write(tree, "cpu.cfs_period_us", limit)
    lines = [cgroup, "0::/\n1:cpu:/\n" + cgroup]
    mounts = mountinfo + V2_MOUNT.format(root="/", point=tree) + \
        V1_MOUNT.format(root="/", point=tree, options="cpu")
    for text in lines:
        proc = tmp / "proc"
        proc.mkdir(exist_ok=True)
        (proc / "cgroup").write_text(text, errors="surrogatepass")
        (proc / "mountinfo").write_text(mounts, errors="surrogatepass")
        found = cpus.cgroup_quota(str(proc))
        assert found is None or (isinstance(found, int) and found >= 1)


def test_usable_is_at_least_one_and_at_most_the_affinity() -> None:
    count = cpus.usable()
    assert 1 <= count <= (len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity")
                          else (os.cpu_count() or 1))


PRINT = "from orglint import cpus; print(cpus.usable())"


@pytest.mark.skipif(not hasattr(os, "sched_setaffinity"), reason="no affinity on this OS")
def test_a_process_pinned_to_one_cpu_uses_one() -> None:
    one = min(os.sched_getaffinity(0))
    code = f"import os; os.sched_setaffinity(0, {{{one}}}); {PRINT}"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "1"


V1_CPU = Path("/sys/fs/cgroup/cpu")


@pytest.mark.skipif(not os.access(V1_CPU, os.W_OK) or not (V1_CPU / "cgroup.procs").exists(),
                    reason="no writable cgroup v1 cpu controller here")
def test_a_real_v1_quota_of_one_cpu() -> None:
    group = V1_CPU / f"orglint-test-{os.getpid()}"
    try:
        group.mkdir()
    except OSError as error:  # writable to root, yet refused (a container's namespace)
        pytest.skip(f"cannot make a cgroup here: {error}")
    try:
        (group / "cpu.cfs_period_us").write_text("100000")
        (group / "cpu.cfs_quota_us").write_text("100000")
        # The shell moves itself into the group, then becomes the Python that asks.
        script = f'echo $$ > {group}/cgroup.procs && exec "$0" -c "$1"'
        out = subprocess.run(["sh", "-c", script, sys.executable, PRINT],
                             capture_output=True, text=True, check=True).stdout
        assert out.strip() == "1"
    finally:
        group.rmdir()


def _small_org(root: Path, teams: int) -> None:
    (root / ".orglint.yaml").write_text("paths: ['t*.yaml']\n")
    for n in range(teams):
        (root / f"t{n:02}.yaml").write_text(
            "apiVersion: orglint/v1\nkind: Team\n"
            f"metadata: {{name: t{n:02}}}\nspec:\n  maturity: pilot\n  members: []\n")


@pytest.mark.skipif(not hasattr(os, "fork"), reason="the forked pool")
def test_the_default_pool_is_the_usable_cpus(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    _small_org(tmp_path, engine.POOL_THRESHOLD + 2)
    settings_ = load_settings(cwd=tmp_path, overrides={"no_cache": True})
    asked: list[int] = []
    original = pool.run

    def counted(*args: object, **kwargs: object) -> object:
        asked.append(kwargs["workers"])  # type: ignore[arg-type]
        return original(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(pool, "run", counted)
    monkeypatch.setattr(pool, "worker_cap", lambda: 8)
    results = []
    monkeypatch.setattr(cpus, "cgroup_quota", lambda: None)
    for usable in (1, 3):
        monkeypatch.setattr(cpus, "_affinity", lambda usable=usable: usable)
        gathered = gather(settings_, [], cwd=tmp_path)
        result = run(plan(settings_, gathered), Request(paths=[], cwd=tmp_path), gathered)
        results.append([f.to_dict() for f in result.findings])
    # One CPU: the files are checked here, no pool; three: a pool of three.
    assert asked == [3]
    assert results[0] == results[1]


@pytest.mark.parametrize(("teams", "args", "affinity", "quota", "said"), [
    (3, [], 2, None, "checked 3 files in 1 process (fewer than 50 files to check)"),
    (engine.POOL_THRESHOLD + 2, [], 1, None,
     f"checked {engine.POOL_THRESHOLD + 2} files in 1 process"
     " (the CPUs it may use: affinity 1, no CPU quota)"),
    (engine.POOL_THRESHOLD + 2, [], 4, 2,
     f"checked {engine.POOL_THRESHOLD + 2} files in 2 processes"
     " (the CPUs it may use: affinity 4, CPU quota 2)"),
    (engine.POOL_THRESHOLD + 2, ["--jobs", "2"], 1, None,
     f"checked {engine.POOL_THRESHOLD + 2} files in 2 processes (--jobs 2)"),
])
def test_verbose_says_how_many_processes_checked_and_why(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
        teams: int, args: list[str], affinity: int, quota: int | None, said: str) -> None:
    from orglint.cli import main

    _small_org(tmp_path, teams)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(cpus, "_affinity", lambda: affinity)
    monkeypatch.setattr(cpus, "cgroup_quota", lambda: quota)
    monkeypatch.setattr(pool, "worker_cap", lambda: 8)
    main(["check", "--no-cache", "-v", *args])
    assert f"orglint: {said}\n" in capsys.readouterr().err
