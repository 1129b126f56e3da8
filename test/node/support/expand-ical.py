#!/usr/bin/python3
# The independent recurrence oracle of the model-based test on the real adapters (issue 13): expands
# an iCalendar object's occurrences with python3-icalendar and python3-recurring-ical-events (Debian
# packages, written independently of this project and of ical.js), so that what the CRM holds can be
# compared, occurrence by occurrence, with what Outlook (the Graph emulator's /instances) shows.
#
# One JSON request per line on stdin: {"id": ..., "text": <iCalendar>, "from": <ISO UTC>, "to": <ISO UTC>};
# one JSON answer per line on stdout: {"id": ..., "occurrences": [{"start", "end", "allDay", "summary",
# "location"}]} with timed instants in UTC (ISO, Z) and all-day dates as YYYY-MM-DD, or {"id", "error"}.
import datetime
import json
import sys
from zoneinfo import ZoneInfo

import icalendar
import recurring_ical_events


def when(value):
    """An instant in UTC (ISO with Z), or a date for all-day occurrences."""
    if isinstance(value, datetime.datetime):
        if value.tzinfo is None:
            # Floating times: the model writes none; say so rather than guess a zone.
            raise ValueError(f"floating time {value.isoformat()}")
        return value.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"), False
    return value.isoformat(), True


def zoneinfo(prop):
    """A zoned time of a property again in the standard library's zoneinfo (same wall clock, same zone).

    Debian's recurring-ical-events 2.0.1 hands dateutil the pytz time of DTSTART, whose offset is fixed
    at DTSTART's: an RRULE whose UNTIL (in UTC) falls on an occurrence after a change of daylight
    saving time then loses that last occurrence (10:00 Berlin on 2027-03-30 is 08:00Z = UNTIL,
    compared as 09:00Z). zoneinfo gives each occurrence its own offset, as RFC 5545 §3.3.10 wants.
    """
    values = prop.dts if hasattr(prop, "dts") else [prop]
    for v in values:
        dt = v.dt
        zone = getattr(getattr(dt, "tzinfo", None), "zone", None)
        if isinstance(dt, datetime.datetime) and zone and zone != "UTC":
            v.dt = dt.replace(tzinfo=None).replace(tzinfo=ZoneInfo(zone))


def expand(text, start, end):
    calendar = icalendar.Calendar.from_ical(text)
    for component in calendar.walk("VEVENT"):
        for name in ("DTSTART", "DTEND", "RECURRENCE-ID", "EXDATE"):
            props = component.get(name)
            for prop in props if isinstance(props, list) else [props] if props is not None else []:
                zoneinfo(prop)
    out = []
    for event in recurring_ical_events.of(calendar).between(start, end):
        s, all_day = when(event["DTSTART"].dt)
        e = when(event["DTEND"].dt)[0] if "DTEND" in event else s
        out.append(
            {
                "start": s,
                "end": e,
                "allDay": all_day,
                "summary": str(event.get("SUMMARY", "")),
                "location": str(event.get("LOCATION", "")),
            }
        )
    return sorted(out, key=lambda o: o["start"])


def utc(iso):
    return datetime.datetime.strptime(iso, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.timezone.utc)


for line in sys.stdin:
    request = json.loads(line)
    try:
        answer = {"id": request["id"], "occurrences": expand(request["text"], utc(request["from"]), utc(request["to"]))}
    except Exception as error:  # noqa: BLE001 - every failure is an answer the test reports
        answer = {"id": request["id"], "error": f"{type(error).__name__}: {error}"}
    sys.stdout.write(json.dumps(answer) + "\n")
    sys.stdout.flush()
