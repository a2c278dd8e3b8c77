"""tests/fakes/fake_common.py: the state the fake EMRs share (tests/fakes/fake_http.py is their HTTP plumbing): the
fault controls every fake's POST /__control understands alike (tests/conformance/README.md): delay_ms,
fail_status + fail_count + retry_after, rate_limit (calls a minute), lose_answer, revoke."""
import threading

import clock  # the suite's clock (tests/it/clock.py: each fake puts tests/it on sys.path first)


class FakeState:
    """A fake EMR's state: its lock, its records (seed), its controls and its counters. A subclass defines seed(),
    reset_controls() (calling reset_faults()) and reset_stats(); callers hold `lock` around everything."""

    def __init__(self):
        self.lock = threading.RLock()
        self.seed()
        self.reset_controls()
        self.reset_stats()

    CONTROLS = (("delay_ms", "delay_ms"), ("fail_status", "fail_status"), ("fail_count", "fail_count"),
                ("retry_after", "retry_after"), ("rate_limit", "rate_limit"), ("lose_answer", "lose_answer"),
                ("revoke", "revoked"))

    def reset_faults(self):
        self.delay_ms = 0
        self.fail_status = 0
        self.fail_count = -1
        self.retry_after = None
        self.rate_limit = 0
        self.window_start = 0
        self.window_count = 0
        self.lose_answer = 0
        self.revoked = False

    def apply_faults(self, c):
        """Takes the shared controls present in c (a /__control body)."""
        for k, attr in self.CONTROLS:
            if k in c:
                setattr(self, attr, c[k])
        if "fail_status" in c and "fail_count" not in c:
            self.fail_count = -1
        if "rate_limit" in c:
            self.window_start = self.window_count = 0

    def due_fault(self):
        """The fault this request meets, counting it: None, ("rate_limited", 429, headers) when over rate_limit
        calls in the current minute, or ("failing", fail_status, headers) while fail_count lasts."""
        if self.rate_limit > 0:
            now = int(clock.now_s())
            if now >= self.window_start + 60:
                self.window_start, self.window_count = now, 0
            self.window_count += 1
            if self.window_count > self.rate_limit:
                wait = self.retry_after if self.retry_after is not None else self.window_start + 60 - now
                return "rate_limited", 429, {"Retry-After": str(max(1, wait))}
        if self.fail_status and self.fail_count != 0:
            if self.fail_count > 0:
                self.fail_count -= 1
            return "failing", self.fail_status, \
                {"Retry-After": str(self.retry_after)} if self.retry_after is not None else {}
        return None
