"""tests/conformance/profiles/schedule.py: the `schedule` provider: availability from a schedule the clinic keeps in
the sandbox clinic file format, for an EMR Frontdesk cannot reach (here labelled "simplepractice"). It is the
sandbox read-only (PROV_CAP_NO_WRITE): the same clinic as the sandbox's column, read scenarios must pass, the
scenarios that book are n/a."""

from profiles.sandbox import SandboxProfile, ZONE


class ScheduleProfile(SandboxProfile):
    name = "schedule"
    writes = False

    def tenant(self):
        return {"provider": "schedule", "emr": "simplepractice", "country": "AU", "time_zone": ZONE,
                "provider_settings": {"schedule_file": "conformance_clinic.json"}}


PROFILE = ScheduleProfile
