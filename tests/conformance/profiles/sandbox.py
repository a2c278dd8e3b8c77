"""tests/conformance/profiles/sandbox.py: the built-in sandbox EMR (a clinic file plus Redis records; no network).

The clinic written here has one location in Australia/Sydney whose two practitioners work around the clock every
day, so the DST scenario sees the change itself; expectations come from tests/it/avail_support.ClinicModel.
Network faults are n/a: the sandbox has no EMR to fail."""

import datetime as dt
import sys

from profiles.base import Profile, IT_DIR, utc_ms

sys.path.insert(0, IT_DIR)
import avail_support as A  # noqa: E402

ZONE = "Australia/Sydney"
ALL_DAY = [{"days": list(A.WEEKDAYS), "intervals": [{"start": "00:00", "end": "24:00"}]}]
CLINIC = {
    "clinic": {"name": "Conformance Clinic", "country": "AU", "locale": "en-AU"},
    "locations": [{"id": "loc-main", "name": "Conformance Clinic Sydney", "time_zone": ZONE,
                   "address": {"line1": "1 Test Street", "city": "Sydney", "country": "AU"}}],
    "practitioners": [
        {"id": "pr-ava-stone", "first_name": "Ava", "last_name": "Stone", "title": "Dr",
         "schedules": [{"location_id": "loc-main", "weekly": ALL_DAY}]},
        {"id": "pr-ben-cole", "first_name": "Ben", "last_name": "Cole",
         "schedules": [{"location_id": "loc-main", "weekly": ALL_DAY}]},
    ],
    "treatments": [
        {"id": "tx-consult", "name": "Consultation", "duration_minutes": 60, "price": {"amount": 90, "currency": "AUD"},
         "practitioner_ids": ["pr-ava-stone", "pr-ben-cole"]},
        {"id": "tx-review", "name": "Review", "duration_minutes": 30, "price": {"amount": 50, "currency": "AUD"},
         "practitioner_ids": ["pr-ava-stone", "pr-ben-cole"]},
    ],
    "policy": {"min_notice_minutes": 0, "max_days_ahead": 366, "slot_step_minutes": 30},
}


class SandboxProfile(Profile):
    name = "sandbox"
    network = False

    def tenant(self):
        return {"provider": "sandbox", "country": "AU", "time_zone": ZONE,
                "provider_settings": {"clinic_file": "conformance_clinic.json"}}

    def files(self):
        return {"conformance_clinic.json": CLINIC}

    def zone(self):
        return ZONE

    def dst_day_starts(self, day, staff_id, treatment_id, location_id):
        return [s for s, _ in A.ClinicModel(CLINIC).day_slots(staff_id, treatment_id, location_id, day)]

    def emr_appointments(self):
        """The sandbox's own records, read through the API: every patient the run used, their appointments."""
        out = {}
        for tenant, pid in sorted(self.ctx.patient_ids):
            r = self.ctx.post("fetchPatientsAppointments", {"patient_id": pid}, tenant)
            if r.status != 200:
                raise AssertionError("fetchPatientsAppointments answered %r" % (r,))
            for a in r.body["appointments"]:
                if a["state"] == "provisional":
                    continue
                out[a["id"]] = {"id": a["id"], "staff_id": a["staff_member_id"], "start_ms": utc_ms(a["start_at"]),
                                "cancelled": a["state"] == "cancelled"}
        return list(out.values())


PROFILE = SandboxProfile
