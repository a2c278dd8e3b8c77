"""tests/conformance/profiles/bridge_readonly.py: the EMR bridge with read-only capabilities ("write": false):
the reference bridge tests/fakes/fake_bridge.py started with --capabilities read-only, which answers the catalog,
openings, patients.find and appointments.list and refuses every write (422 read_only).

Frontdesk never sends it a write: bookings become booking requests (hold_then_book, race_two_processes, cancel,
reschedule and the patient's appointments run against requests; lost_answer_retry has no write to lose), and a
caller the bridge does not know is kept as Frontdesk's own patient record (the patient scenarios create them
there)."""

from profiles.bridge import BridgeProfile


class BridgeReadOnlyProfile(BridgeProfile):
    capabilities = "read-only"
    writes = False

    def add_patients(self, patients):
        """Patients the clinic's staff entered in the EMR itself: the bridge takes them for that moment only
        (Frontdesk learnt its capabilities at start and keeps them)."""
        self.control(capabilities="full")
        try:
            return super().add_patients(patients)
        finally:
            self.control(capabilities="read-only")


PROFILE = BridgeReadOnlyProfile
