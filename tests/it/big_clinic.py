"""tests/it/big_clinic.py: deterministic big sandbox clinics for the speed benches and the answer-equality tests.

- workload_20x90(today): issue 21's workload: one location in America/New_York, 20 practitioners working
  Mon-Fri 09:00-12:30 + 13:00-17:00, a 90-day horizon, a 30-minute treatment on a 15-minute step, 120 minutes'
  notice and about 30% of the working time already booked (seeded, so every run is the same clinic).
- many_practitioners(today, n): n practitioners at two locations (Sydney, Vancouver) sharing a treatment, for
  /voice/bestSlot over many candidates.
- count_slots(clinic, ...): the bookable slots of one practitioner in a window, counted here from the clinic file
  alone (weekly hours, bookings, step, notice, horizon) with Python's zoneinfo: the independent count a bench
  checks the service's answer against.
"""

import datetime as dt
import random
from zoneinfo import ZoneInfo

DAYS_OF_WEEK = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
NY = "America/New_York"
WEEKDAY_HOURS = ((9 * 60, 12 * 60 + 30), (13 * 60, 17 * 60))
STEP_MIN = 15
NOTICE_MIN = 120


def _hours_json(hours):
    return [{"start": "%02d:%02d" % (s // 60, s % 60), "end": "%02d:%02d" % (e // 60, e % 60)} for s, e in hours]


def _book_day(rnd, hours, share, lengths):
    """Non-overlapping (start_min, minutes) bookings on a 15-minute grid covering about `share` of the hours."""
    total = sum(e - s for s, e in hours)
    taken, booked = [], 0
    for _ in range(200):
        if booked >= share * total:
            break
        minutes = rnd.choice(lengths)
        s, e = rnd.choice(hours)
        if e - s < minutes:
            continue
        start = s + STEP_MIN * rnd.randrange(0, (e - s - minutes) // STEP_MIN + 1)
        if any(start < b + bm and b < start + minutes for b, bm in taken):
            continue
        taken.append((start, minutes))
        booked += minutes
    return taken


def _clinic(locations, practitioners, treatments, bookings, days):
    return {
        "clinic": {"name": "Bench Clinic", "country": "US", "locale": "en-US"},
        "locations": [{"id": lid, "name": "Bench " + lid, "time_zone": zone,
                       "address": {"line1": "1 Bench St", "city": "Bench", "country": country}}
                      for lid, zone, country in locations],
        "practitioners": practitioners,
        "treatments": [{"id": t, "name": "Visit %d" % m, "duration_minutes": m,
                        "price": {"amount": m, "currency": "USD"}} for t, m in treatments],
        "bookings": bookings,
        "policy": {"min_notice_minutes": NOTICE_MIN, "max_days_ahead": days, "slot_step_minutes": STEP_MIN},
    }


def workload_20x90(today, practitioners=20, days=90, share=0.3, seed=2026121):
    """Issue 21's 20 x 90 clinic, its first local date `today` (a datetime.date in New York)."""
    rnd = random.Random(seed)
    zone = ZoneInfo(NY)
    treatments = (("tx-30", 30), ("tx-45", 45), ("tx-60", 60))
    staff, bookings = [], []
    for i in range(practitioners):
        pid = "pr-%02d" % i
        staff.append({"id": pid, "first_name": "Pract", "last_name": "Number%02d" % i,
                      "treatment_ids": [t for t, _ in treatments],
                      "schedules": [{"location_id": "loc-nyc",
                                     "weekly": [{"days": list(DAYS_OF_WEEK[:5]),
                                                 "intervals": _hours_json(WEEKDAY_HOURS)}]}]})
        for k in range(days + 1):
            day = today + dt.timedelta(days=k)
            if day.weekday() >= 5:
                continue
            for start, minutes in _book_day(rnd, WEEKDAY_HOURS, share, (30, 45, 60)):
                local = dt.datetime(day.year, day.month, day.day, start // 60, start % 60, tzinfo=zone)
                tid = "tx-%d" % minutes
                bookings.append({"practitioner_id": pid, "treatment_id": tid, "location_id": "loc-nyc",
                                 "start": local.isoformat(timespec="seconds")})
    return _clinic((("loc-nyc", NY, "US"),), staff, treatments, bookings, days)


def many_practitioners(today, n=50, days=30, share=0.3, seed=2026122):
    """n practitioners over two locations, all offering tx-30 (and tx-60), Mon-Sat, about `share` booked."""
    rnd = random.Random(seed)
    locations = (("loc-syd", "Australia/Sydney", "AU"), ("loc-van", "America/Vancouver", "CA"))
    treatments = (("tx-30", 30), ("tx-60", 60))
    hours = ((8 * 60, 12 * 60), (13 * 60, 18 * 60))
    staff, bookings = [], []
    for i in range(n):
        lid, zone_name, _ = locations[i % 2]
        zone = ZoneInfo(zone_name)
        pid = "pr-%02d" % i
        staff.append({"id": pid, "first_name": "Pract", "last_name": "Number%02d" % i,
                      "treatment_ids": [t for t, _ in treatments],
                      "schedules": [{"location_id": lid, "weekly": [{"days": list(DAYS_OF_WEEK[:6]),
                                                                     "intervals": _hours_json(hours)}]}]})
        for k in range(days + 2):
            day = today + dt.timedelta(days=k)
            if day.weekday() == 6:
                continue
            for start, minutes in _book_day(rnd, hours, share, (30, 60)):
                local = dt.datetime(day.year, day.month, day.day, start // 60, start % 60, tzinfo=zone)
                bookings.append({"practitioner_id": pid, "treatment_id": "tx-%d" % minutes, "location_id": lid,
                                 "start": local.isoformat(timespec="seconds")})
    return _clinic(locations, staff, treatments, bookings, days)


def _utc_ms(day, minute, zone):
    """The UTC instant (ms) of local wall time `minute` on `day` in zone (a gap moves forward, as tz does)."""
    local = dt.datetime(day.year, day.month, day.day, minute // 60, minute % 60, tzinfo=zone)
    utc = local.astimezone(dt.timezone.utc)
    if utc.astimezone(zone).replace(tzinfo=None) != local.replace(tzinfo=None):  # in a gap: after the change
        utc = local.replace(fold=1).astimezone(dt.timezone.utc)
    return int(utc.timestamp() * 1000)


def count_slots(clinic, practitioner_id, duration_min, now_ms, frm_ms, to_ms, days):
    """Slots of one practitioner for a treatment of duration_min in [frm_ms, to_ms): every STEP_MIN from each
    shift start, inside the shift, not overlapping a booking, at least NOTICE_MIN after now, and on a local date
    before today + days (the horizon)."""
    p = next(x for x in clinic["practitioners"] if x["id"] == practitioner_id)
    lid = p["schedules"][0]["location_id"]
    zone = ZoneInfo(next(loc["time_zone"] for loc in clinic["locations"] if loc["id"] == lid))
    durations = {t["id"]: t["duration_minutes"] for t in clinic["treatments"]}
    busy = []
    for b in clinic["bookings"]:
        if b["practitioner_id"] == practitioner_id:
            s = int(dt.datetime.fromisoformat(b["start"]).timestamp() * 1000)
            busy.append((s, s + durations[b["treatment_id"]] * 60000))
    weekly = {}
    for w in p["schedules"][0]["weekly"]:
        for d in w["days"]:
            weekly[DAYS_OF_WEEK.index(d)] = [(int(i["start"][:2]) * 60 + int(i["start"][3:]),
                                              int(i["end"][:2]) * 60 + int(i["end"][3:])) for i in w["intervals"]]
    today = dt.datetime.fromtimestamp(now_ms / 1000, zone).date()
    earliest = now_ms + NOTICE_MIN * 60000
    count = 0
    for k in range(days):
        day = today + dt.timedelta(days=k)
        for s, e in weekly.get(day.weekday(), ()):
            ws, we = _utc_ms(day, s, zone), _utc_ms(day, e, zone)
            t = ws
            while t + duration_min * 60000 <= we:
                end = t + duration_min * 60000
                if earliest <= t and frm_ms <= t < to_ms and not any(bs < end and t < be for bs, be in busy):
                    count += 1
                t += STEP_MIN * 60000
    return count
