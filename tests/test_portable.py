"""citetrail where Unix-only modules are missing: `fcntl` hidden (as on Windows), the package still imports,
opens a store and locks it, readers sharing and a writer refused while they read."""

from __future__ import annotations

import subprocess
import sys
import textwrap

from tests.conftest import ROOT

WITHOUT_FCNTL = textwrap.dedent("""
    import sys
    sys.modules["fcntl"] = None  # `import fcntl` now raises ImportError, anywhere
    from pathlib import Path

    import pipeline, pipeline.cli, pipeline.serve.app
    from pipeline.errors import StoreError
    from pipeline.store import ChunkStore, store_lock
    from pipeline.embed import cache_dir

    store = Path(sys.argv[1])
    ChunkStore(store, "citetrail", {"splitter": "portable"}, create=True)
    with store_lock(store, exclusive=False, timeout=0), store_lock(store, exclusive=False, timeout=0):
        try:
            with store_lock(store, exclusive=True, timeout=0.2):
                raise SystemExit("a writer got the store while two readers held it")
        except StoreError as exc:
            print("writer:", exc)
    with store_lock(store, exclusive=True, timeout=0):
        print("writer alone: ok")
    print("cache:", cache_dir())
    print("fcntl loaded:", sys.modules["fcntl"] is not None)
""")


def test_import_and_store_lock_without_fcntl(tmp_path):
    proc = subprocess.run([sys.executable, "-c", WITHOUT_FCNTL, str(tmp_path / "store")], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    writer, alone, cache, loaded = proc.stdout.splitlines()
    assert writer == (f"writer: the store at {tmp_path / 'store'} is busy: another citetrail process is using it "
                      "(waited 0.2 s, lock_timeout); try again when it finishes")
    assert (alone, loaded) == ("writer alone: ok", "fcntl loaded: False") and cache.endswith("citetrail")
