"""The Python client against a real coordinator and two real workers (processes from enjambre.jar)."""
import hashlib
import json

import pytest

from enjambre_client import (BadRequest, Client, Conflict, Forbidden, JobTimeout, NotFound, Unauthenticated,
                             cli)

PRIMES_BELOW_10_7 = {"name": "primes below ten million", "app": "primes",
                     "input": {"from": 2, "to": 10_000_000}, "workUnits": 100,
                     "redundancy": {"replicas": 2, "quorum": 2}}
# Far more work than the test waits for: it can only end by being cancelled.
ENDLESS = {"name": "endless", "app": "primes", "input": {"from": 2, "to": 10**9}, "workUnits": 1_000,
           "priority": -10}


def test_primesBelowTenMillion_watchedOverEvents_completeWith664579(client):
    job_id = client.submit(PRIMES_BELOW_10_7)["id"]

    snapshots = list(client.watch(job_id, timeout=240))

    assert snapshots[-1]["state"] == "COMPLETED", snapshots[-1]
    progress = [s["progress"] for s in snapshots]
    assert progress == sorted(progress), "progress never goes back"
    assert snapshots[-1]["workUnits"]["done"] == 100
    assert client.result(job_id) == {"count": 664579}
    assert job_id in [j["id"] for j in client.jobs()]


def test_wait_polling_drawsProgressBar_andResultStreamsToFile(client, tmp_path, capsys):
    job_id = client.submit({"app": "primes", "input": {"from": 2, "to": 100_000}, "workUnits": 4})["id"]

    job = client.wait(job_id, timeout=120, poll=True, progress=True)

    assert job["state"] == "COMPLETED"
    drawn = capsys.readouterr().err
    assert "100%" in drawn and "4/4 units" in drawn and drawn.endswith("\n")
    out = client.result(job_id, to=tmp_path / "result.json")
    assert json.loads(out.read_text()) == {"count": 9592}


def test_mandelbrotResult_isPngBytes(client):
    spec = {"app": "mandelbrot", "workUnits": 4, "input": {"width": 64, "height": 64, "xMin": -2.0, "xMax": 1.0,
                                                             "yMin": -1.5, "yMax": 1.5, "maxIterations": 50}}
    result = client.run(spec, timeout=120, progress=False)

    assert isinstance(result, bytes)
    assert result.startswith(b"\x89PNG\r\n\x1a\n")


def test_badSpec_raisesBadRequestNamingTheField_andAddsNoJob(client):
    before = len(client.jobs())

    with pytest.raises(BadRequest) as bad:
        client.submit({"app": "primes", "input": {"from": 2, "to": 100}, "redundancy": {"replicas": 2, "quorum": 3}})

    assert bad.value.status == 400
    assert bad.value.code == "INVALID_SPEC"
    assert bad.value.field == "redundancy.quorum"
    assert "redundancy.quorum" in str(bad.value)
    assert len(client.jobs()) == before


def test_wrongApiKey_raisesForbidden(swarm):
    with pytest.raises(Forbidden) as wrong:
        swarm.client(api_key="not-the-key").submit(PRIMES_BELOW_10_7)
    assert wrong.value.status == 403 and wrong.value.code == "FORBIDDEN"


def test_noApiKey_raisesUnauthenticated(swarm, no_key_env):
    client = Client(swarm.url)
    assert client.api_key is None
    with pytest.raises(Unauthenticated) as missing:
        client.cancel("j-whatever")
    assert missing.value.status == 401 and missing.value.code == "UNAUTHENTICATED"


def test_apiKey_foundInEnvironment_andInDataDirKeyFile(swarm, no_key_env, monkeypatch):
    data_dir = no_key_env / "coordinator-data"
    data_dir.mkdir()
    (data_dir / "api-key").write_text(swarm.api_key + "\n")
    with pytest.raises(NotFound):                     # authenticated: the job is what is missing
        Client(swarm.url, data_dir=data_dir).cancel("j-missing")

    monkeypatch.setenv("ENJAMBRE_API_KEY", swarm.api_key)
    with pytest.raises(NotFound) as missing:
        Client(swarm.url).cancel("j-missing")
    assert missing.value.code == "NOT_FOUND"


def test_uploadModule_returnsItsSha256_andAWasmJobRunsIt(client, primes_wasm):
    sha = client.upload_module(primes_wasm)

    assert sha == hashlib.sha256(primes_wasm.read_bytes()).hexdigest()
    spec = {"app": "wasm", "workUnits": 4, "input": {"module": sha, "range": {"from": 0, "to": 100_000},
                                                     "merge": "module", "contentType": "application/json"}}
    assert client.run(spec, timeout=120, progress=False) == {"count": 9592}


def test_uploadModule_ofBytesThatAreNoModule_raisesBadRequest(client):
    with pytest.raises(BadRequest) as bad:
        client.upload_module(b"not webassembly")
    assert bad.value.code


def test_workers_listsBothWorkers_andEventsShowStats(client):
    names = {w["name"] for w in client.workers()}
    assert {"pytest-w0", "pytest-w1"} <= names

    stats = next(e for e in client.events() if e.name == "stats")
    assert stats.data["peers"] == 1
    assert client.cluster()[0]["local"] is True


def test_commandLine_submitWait_printsIdAndResult_andABadSpecExitsOneNamingTheField(swarm, tmp_path, capsys):
    spec = tmp_path / "job.json"
    spec.write_text(json.dumps({"app": "primes", "input": {"from": 2, "to": 1000}, "workUnits": 2}))
    common = ["--coordinator", swarm.url, "--api-key", swarm.api_key]

    assert cli.main(common + ["submit", str(spec), "--wait", "--timeout", "120"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("j-") and json.loads(out[1]) == {"count": 168}

    spec.write_text(json.dumps({"app": "primes", "input": {"from": 2}}))
    assert cli.main(common + ["submit", str(spec)]) == 1
    assert "input.to" in capsys.readouterr().err


# Last: the workers go on computing the cancelled job's tasks they already hold.
def test_cancel_endsTheJob_waitTimesOutBefore_andResultIsRefused(client):
    job_id = client.submit(ENDLESS)["id"]

    with pytest.raises(JobTimeout) as timeout:
        client.wait(job_id, timeout=1.0)
    assert timeout.value.job["id"] == job_id and timeout.value.job["state"] in ("QUEUED", "RUNNING")

    assert client.cancel(job_id)["state"] == "CANCELLED"
    assert client.wait(job_id, timeout=30)["state"] == "CANCELLED"
    with pytest.raises(Conflict) as refused:
        client.result(job_id)
    assert refused.value.status == 409 and refused.value.code == "NOT_COMPLETED"


def test_uploadFile_inChunks_resumesWithoutResending_andAWordcountJobCountsIt(client, tmp_path):
    text = "".join(f"line {i} has some words\n" for i in range(3000))  # 3000 lines, 15000 words
    path = tmp_path / "words.txt"
    path.write_text(text)

    first = client.upload_file(path, chunk_size=16 * 1024)
    again = client.upload_file(path, chunk_size=16 * 1024)

    assert first["sent"] == -(-len(text.encode()) // (16 * 1024))
    assert again == {"id": first["id"], "sent": 0}
    meta = client.file(first["id"])
    assert meta["complete"] is True and meta["size"] == len(text.encode())
    copy = client.download_file(first["id"], tmp_path / "copy.txt")
    assert copy.read_text() == text
    result = client.run({"app": "wordcount", "input": {"files": [first["id"]]},
                         "redundancy": {"replicas": 2, "quorum": 2}}, timeout=120, progress=False)
    assert result["words"] == 15000 and result["lines"] == 3000 and result["files"] == 1


def test_uploadFile_ofAnUnknownFileId_inASpec_raisesBadRequestNamingTheField(client):
    with pytest.raises(BadRequest) as bad:
        client.submit({"app": "wordcount", "input": {"files": ["0" * 64]}})
    assert bad.value.field == "input.files[0]"
