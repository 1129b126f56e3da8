"""Conformance run of python3-caldav (Debian's package, a client we did not write) against the gateway.

Usage: /usr/bin/python3 caldav_client.py URL USER PASSWORD
Prints one JSON object with what each step saw; the Node test checks it.
"""
import datetime
import json
import sys

import caldav

url, user, password = sys.argv[1:4]
out = {}
client = caldav.DAVClient(url=url, username=user, password=password)

# Discovery: principal, calendar home, the two collections with their components.
principal = client.principal()
calendars = {c.name: c for c in principal.calendars()}
out["calendars"] = sorted(calendars)
activities = next(c for c in calendars.values() if "VEVENT" in c.get_supported_components())
tasks = next(c for c in calendars.values() if "VTODO" in c.get_supported_components())
out["components"] = {"activities": activities.get_supported_components(), "tasks": tasks.get_supported_components()}

# Sync token before any change.
collection = activities.objects_by_sync_token(load_objects=True)
out["initial_objects"] = len(list(collection.objects))

# Save an event and a task.
event = activities.save_event(
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//conformance//python-caldav//EN\r\n"
    "BEGIN:VEVENT\r\nUID:pycaldav-1\r\nDTSTAMP:20261126T080000Z\r\n"
    "DTSTART:20261203T090000Z\r\nDTEND:20261203T100000Z\r\nSUMMARY:Saved by python-caldav\r\n"
    "END:VEVENT\r\nEND:VCALENDAR\r\n"
)
out["saved_url"] = str(event.url)
todo = tasks.save_todo(
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//conformance//python-caldav//EN\r\n"
    "BEGIN:VTODO\r\nUID:pycaldav-task\r\nDTSTAMP:20261126T080000Z\r\nDUE:20261204T170000Z\r\n"
    "SUMMARY:Task by python-caldav\r\nEND:VTODO\r\nEND:VCALENDAR\r\n"
)
out["todos"] = sorted(str(t.icalendar_component["SUMMARY"]) for t in tasks.todos())

# Search by time range: the saved event is found in its week and not in another.
def found(start, end):
    results = activities.search(start=start, end=end, event=True)
    return sorted(str(r.icalendar_component["SUMMARY"]) for r in results)

out["search_hit"] = found(datetime.datetime(2026, 12, 1), datetime.datetime(2026, 12, 7))
out["search_miss"] = found(datetime.datetime(2027, 1, 1), datetime.datetime(2027, 1, 7))

# Lookup by UID (calendar-query with a UID text-match).
out["by_uid"] = str(activities.event_by_uid("pycaldav-1").icalendar_component["SUMMARY"])

# Edit it, then the sync token reports exactly that change; a deletion comes back as deleted.
event.icalendar_component["SUMMARY"] = "Edited by python-caldav"
event.save()
updated, deleted = collection.sync()
out["sync_updated"] = sorted(str(o.icalendar_component["SUMMARY"]) for o in updated)
event.delete()
updated, deleted = collection.sync()
out["sync_after_delete"] = {"updated": len(updated), "deleted": [str(o.url) for o in deleted]}
print(json.dumps(out))
