"""Drives oha against a running provider (see scripts/bench-provider)."""
import json
import subprocess
import sys
import time
import urllib.request

oha, pid, log, secs = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
banner = open(log).read().splitlines()
identity = next(l.split(": ", 1)[1] for l in banner if l.startswith("identity:"))
account = next(l for l in banner if l.startswith("account:")).split()
user, password = account[account.index("user") + 1], account[account.index("password") + 1]


def call(method, url, body=None, token=None):
    req = urllib.request.Request(url, method=method, data=json.dumps(body).encode() if body else None)
    req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("X-Auth-Token", token)
    with urllib.request.urlopen(req) as r:
        data = r.read()
        return json.loads(data) if data else None


access = call("POST", identity + "/v2.0/tokens", {"auth": {"passwordCredentials": {"username": user, "password": password}}})["access"]
token = access["token"]["id"]
endpoint = next(s["endpoints"][0]["publicURL"] for s in access["serviceCatalog"] if s["type"] == "compute" and "v2/" in s["endpoints"][0]["publicURL"])
flavor = call("GET", endpoint + "/flavors", token=token)["flavors"][0]["id"]
create = {"server": {"name": "bench", "imageRef": "image", "flavorRef": flavor}}
ids = [call("POST", endpoint + "/servers", create, token)["server"]["id"] for _ in range(100)]


def rss_kib():
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def oha_run(args, expected=()):
    out = subprocess.run([oha, "--no-tui", "--output-format", "json", "-H", f"X-Auth-Token: {token}", *args], check=True, capture_output=True, text=True).stdout
    r = json.loads(out)
    codes = {int(k): v for k, v in r.get("statusCodeDistribution", {}).items()}
    # Requests still in flight when a timed run ends are not errors of the server.
    errors = sum(v for k, v in codes.items() if k >= 400 and k not in expected) + sum(v for k, v in r.get("errorDistribution", {}).items() if k != "aborted due to deadline")
    pct = r["latencyPercentiles"]
    return r["summary"]["requestsPerSec"], (pct["p50"] or 0) * 1000, (pct["p99"] or 0) * 1000, errors, sum(codes.values())


rows, bad = [], 0
for c in (16, 64):
    for name, args in (
        ("get server", ["-z", f"{secs}s", "-c", str(c), f"{endpoint}/servers/{ids[0]}"]),
        ("list servers detail (100)", ["-z", f"{secs}s", "-c", str(c), f"{endpoint}/servers/detail"]),
    ):
        rps, p50, p99, errors, n = oha_run(args)
        rows.append((name, c, rps, p50, p99, errors, n))
        bad += errors

# Create then delete: a bounded create run, a wait until the new servers have left their
# transient state (delete is documented from a lasting one), then a delete run of them all.
cycle = 20000
for c in (16, 64):
    rps, p50, p99, errors, n = oha_run(["-n", str(cycle), "-c", str(c), "-m", "POST", "-T", "application/json", "-d", json.dumps(create), f"{endpoint}/servers"])
    rows.append(("create server", c, rps, p50, p99, errors, n))
    bad += errors
    time.sleep(2)
    made, marker = [], None
    while True:
        page = call("GET", endpoint + "/servers?limit=1000" + (f"&marker={marker}" if marker else ""), token=token)["servers"]
        made += [s["id"] for s in page if s["id"] not in ids]
        if len(page) < 1000:
            break
        marker = page[-1]["id"]
    with open(log + ".urls", "w") as f:
        f.write("\n".join(f"{endpoint}/servers/{i}" for i in made) + "\n")
    # oha picks the URLs of the file at random, so a server may be picked again after its
    # deletion: that answer is the documented 404, not a failure of the server.
    rps, p50, p99, errors, n = oha_run(["-n", str(len(made)), "-c", str(c), "-m", "DELETE", "--urls-from-file", log + ".urls"], expected=(404,))
    rows.append(("delete server", c, rps, p50, p99, errors, n))
    bad += errors

print("| scenario | connections | requests/s | p50 ms | p99 ms | errors | requests |")
print("|---|---|---|---|---|---|---|")
for name, c, rps, p50, p99, errors, n in rows:
    print(f"| {name} | {c} | {rps:,.0f} | {p50:.2f} | {p99:.2f} | {errors} | {n} |")
before = rss_kib()
_, _, _, e1, _ = oha_run(["-n", "100000", "-c", "64", f"{endpoint}/servers/{ids[0]}"])
after_100k = rss_kib()
_, _, _, e2, _ = oha_run(["-z", "60s", "-c", "64", f"{endpoint}/servers/{ids[0]}"])
after_60s = rss_kib()
bad += e1 + e2
print(f"\nresident memory: {before / 1024:.1f} MiB before, {after_100k / 1024:.1f} MiB after 100,000 requests, {after_60s / 1024:.1f} MiB after 60 s at 64 connections")
sys.exit(1 if bad else 0)
