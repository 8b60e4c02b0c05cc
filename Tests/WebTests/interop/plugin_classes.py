"""Every user class of the TestTargets plugin, by name, for a Python worker under a SwiftLocust master.

SwiftLocust's master sends each worker a count for every class of its plugin, 0 for the classes not
chosen (a Locust master sends only the chosen ones); a Locust 2.47 worker looks every name it is sent up
in its own classes and fails its spawn on a name it lacks (KeyError). So this file has them all:
SessionUser and FailingUser as in locustfile.py, the others as stubs that never get a user in these tests
(each would ask GET / every 50 ms).
"""

from locust import HttpUser, constant, task

from locustfile import FailingUser, SessionUser  # noqa: F401 - Locust collects the classes of this module

__all__ = ["SessionUser", "FailingUser"]


class _Stub(HttpUser):
    abstract = True
    wait_time = constant(0.05)

    @task
    def index(self):
        self.client.get("/", headers={"X-User": "python"})


for _name in (
    "CountingUser", "SlowUser", "ThrowingUser", "RefusedUser", "CustomEventUser", "PacedUser", "InsecureTLSUser",
    "MethodsUser", "TimeoutUser", "RedirectUser", "NoFollowUser", "CancellingUser", "BodyUser",
):
    globals()[_name] = type(_name, (_Stub,), {"__module__": __name__})
    __all__.append(_name)
