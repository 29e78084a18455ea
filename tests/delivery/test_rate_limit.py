"""The rate limit spaces messages evenly, on a fake clock (tests never measure wall-clock time)."""
from __future__ import annotations

import threading

from hti_comms.delivery.pool import RateLimiter


class FakeClock:
    def __init__(self):
        self.now = 100.0
        self.sleeps: list[float] = []
        self.lock = threading.Lock()

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        with self.lock:
            self.sleeps.append(round(seconds, 6))


def test_messages_are_spaced_by_the_rate():
    fake = FakeClock()
    limiter = RateLimiter(4, monotonic=fake.monotonic, sleep=fake.sleep)
    for _ in range(5):
        limiter.wait()
    # The first goes at once; the others wait for their slot, a quarter of a second apart.
    assert fake.sleeps == [0.25, 0.5, 0.75, 1.0]


def test_time_that_passed_is_not_made_up_for_with_a_burst():
    fake = FakeClock()
    limiter = RateLimiter(2, monotonic=fake.monotonic, sleep=fake.sleep)
    limiter.wait()
    fake.now += 60  # idle for a minute
    limiter.wait()
    limiter.wait()
    assert fake.sleeps == [0.5]


def test_zero_means_no_limit():
    fake = FakeClock()
    limiter = RateLimiter(0, monotonic=fake.monotonic, sleep=fake.sleep)
    for _ in range(100):
        limiter.wait()
    assert fake.sleeps == []
