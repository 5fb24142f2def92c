"""`pip install .` from a clean copy of the tracked sources into a new venv (issue 13): the C
library and the extension build with the system libraries, nothing is downloaded (--no-index;
the build backend, scikit-build-core, comes from the pinned venv through PYTHONPATH since
there is no network), and the package then imports and works in a venv without pyarrow."""
import os
import pathlib
import shutil
import subprocess
import sys
import sysconfig

ROOT = pathlib.Path(os.environ.get("HFDS_SRC", pathlib.Path(__file__).resolve().parents[2]))

USE = r"""
import importlib.util, json, sys
import hfds
assert importlib.util.find_spec("pyarrow") is None, "pyarrow must not be needed"
out = sys.argv[1]
info = hfds.write_dataset([{"a": i, "s": str(i), "b": bytes([i % 256])} for i in range(1000)], out)
s = hfds.read_parquet(out + "/data/train-00000-of-00001.parquet")
cap = s.__arrow_c_stream__()
f = hfds.Features({"a": {"dtype": "int64", "_type": "Value"}})
try:
    hfds.read_parquet(out + "/nope.parquet")
except hfds.errors.NotFound as e:
    err = str(e)
print(json.dumps({"rows": info["splits"]["train"]["num_examples"], "cap": type(cap).__name__,
                  "features": f.to_json(), "err": err, "version": hfds.__version__}))
"""


def tracked_copy(dest):
    """The files git tracks (what a clean clone has), as they are in the work tree."""
    files = subprocess.run(["git", "-C", str(ROOT), "ls-files", "-z"], capture_output=True, check=True).stdout
    for rel in filter(None, files.decode().split("\0")):
        src = ROOT / rel
        if src.is_file():
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / rel)


def test_pip_install_in_a_new_venv(tmp_path):
    src = tmp_path / "src"
    tracked_copy(src)
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    py = venv / "bin" / "python"
    env = dict(os.environ, PYTHONPATH=sysconfig.get_paths()["purelib"], CMAKE_BUILD_PARALLEL_LEVEL="2")
    env.pop("HFDS_BIN", None)
    r = subprocess.run([str(py), "-m", "pip", "install", "--quiet", "--no-index", "--no-build-isolation",
                        "--no-deps", str(src)], env=env, capture_output=True, text=True, timeout=1200)
    assert r.returncode == 0, r.stdout + r.stderr
    clean = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    r = subprocess.run([str(py), "-c", USE, str(tmp_path / "out")], env=clean, capture_output=True, text=True,
                       cwd=tmp_path, timeout=300)
    assert r.returncode == 0, r.stderr
    import json
    got = json.loads(r.stdout)
    assert got["rows"] == 1000 and got["cap"] == "PyCapsule"
    assert got["features"] == '{"a": {"dtype": "int64", "_type": "Value"}}'
    assert "nope.parquet" in got["err"]
    # the wheel also installs the CLI next to the interpreter
    cli = subprocess.run([str(venv / "bin" / "hfds"), "--version"], capture_output=True, text=True)
    assert cli.returncode == 0 and got["version"] in cli.stdout + cli.stderr
