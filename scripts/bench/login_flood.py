"""Logins under a sign-up flood (issue 18.5), against a running `hostico serve` with TRUSTED_PROXIES=127.0.0.1.

usage: login_flood.py BASE_URL EMAIL PASSWORD [FLOOD_THREADS] [SECONDS]
Measures a client's login (GET /login + POST /login) and /health, first quiet, then while FLOOD_THREADS threads post
valid sign-ups as fast as they can, each from a fresh forwarded address (so the per-address throttle does not stop
them and every one costs a bcrypt hash); before that, 12 sign-ups from one address (the throttle stops the 11th).
Prints medians and the sign-up answers by status."""
import http.cookiejar, re, statistics, sys, threading, time, urllib.error, urllib.parse, urllib.request

BASE, EMAIL, PASSWORD = sys.argv[1], sys.argv[2], sys.argv[3]
THREADS = int(sys.argv[4]) if len(sys.argv) > 4 else 48
SECONDS = float(sys.argv[5]) if len(sys.argv) > 5 else 15

class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs): return None

def session():
    jar = http.cookiejar.CookieJar()
    return urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect())

def call(opener, path, data=None, address="192.0.2.1"):
    req = urllib.request.Request(BASE + path, data=urllib.parse.urlencode(data).encode() if data else None, headers={"X-Forwarded-For": address})
    try:
        with opener.open(req, timeout=60) as r: return r.status, r.read().decode()
    except urllib.error.HTTPError as e: return e.code, e.read().decode()

def csrf(page): return re.search(r'name="_csrf" value="([0-9a-f]+)"', page).group(1)

def login(address):
    o = session()
    started = time.monotonic()
    _, page = call(o, "/login", address=address)
    status, _ = call(o, "/login", {"_csrf": csrf(page), "email": EMAIL, "password": PASSWORD}, address=address)
    assert status == 303, f"login answered {status}"
    return time.monotonic() - started

def health():
    started = time.monotonic()
    call(session(), "/health")
    return time.monotonic() - started

answers, lock, stop, counter = {}, threading.Lock(), threading.Event(), iter(range(10**9))
def flood(fixed_address=None):
    while not stop.is_set():
        n = next(counter)
        address = fixed_address or f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}"
        o = session()
        _, page = call(o, "/signup", address=address)
        status, _ = call(o, "/signup", {"_csrf": csrf(page), "email": f"flood{n}-{time.time_ns()}@example.ro", "password": "flood password 1",
                                         "language": "en", "p_kind": "person", "p_name": "Flood Test", "p_street": "Str. Lunga 1",
                                         "p_city": "Cluj-Napoca", "p_county": "CJ", "p_country": "RO"}, address=address)
        with lock: answers[status] = answers.get(status, 0) + 1

def measure(label, rounds=10):
    logins = [login("198.51.100.7") for _ in range(rounds)]
    checks = [health() for _ in range(rounds)]
    print(f"{label}: login median {statistics.median(logins) * 1000:.0f} ms (max {max(logins) * 1000:.0f} ms), /health median {statistics.median(checks) * 1000:.1f} ms")

measure("quiet")
one = []
for n in range(12):
    o = session()
    _, page = call(o, "/signup", address="203.0.113.9")
    one.append(call(o, "/signup", {"_csrf": csrf(page), "email": f"one{n}-{time.time_ns()}@example.ro", "password": "flood password 1", "language": "en",
                                   "p_kind": "person", "p_name": "One Address", "p_street": "Str. Lunga 1", "p_city": "Cluj-Napoca", "p_county": "CJ",
                                   "p_country": "RO"}, address="203.0.113.9")[0])
print("12 sign-ups from one address answer:", one)
workers = [threading.Thread(target=flood) for _ in range(THREADS)]
for w in workers: w.start()
time.sleep(2)
deadline = time.monotonic() + SECONDS
while time.monotonic() < deadline: measure(f"during a flood of {THREADS} sign-up threads", rounds=5)
stop.set()
for w in workers: w.join()
print("sign-up answers by status:", dict(sorted(answers.items())), "(303 signed up, 429 address over its limit, 503 hashing queue full)")
