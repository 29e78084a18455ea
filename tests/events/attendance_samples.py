"""Attendance reports as the services write them, after their documentation (Zoom's webinar attendee report and
meeting participant export, Microsoft Teams' attendance report), for the course of tests/events/helpers.make_event
(6 November 2025)."""
from __future__ import annotations

ZOOM_WEBINAR = """Attendee Report
Report Generated:,"Nov 6, 2025 12:05 PM"
Topic,Webinar ID,Actual Start Time,Actual Duration (minutes),# Registered,# Cancelled registrants,Unique Viewers,Total Users,Max Concurrent Views
Grundkurs om Hemtjänstindex,812 3456 7890,"Nov 6, 2025 09:55:12",95,5,0,4,5,4
Host Details
Attended,User Name (Original Name),Email,Join Time,Leave Time,Time in Session (minutes),Is Guest,Country/Region Name
Yes,Eva Eriksson,eva.eriksson@spfseniorerna.se,"Nov 6, 2025 09:50:01","Nov 6, 2025 11:35:00",105,No,Sweden
Panelist Details
Attended,User Name (Original Name),Email,Join Time,Leave Time,Time in Session (minutes),Is Guest,Country/Region Name
Yes,Lars Larsson,lars.larsson@example.se,"Nov 6, 2025 09:52:00","Nov 6, 2025 11:31:00",99,No,Sweden
Attendee Details
Attended,User Name (Original Name),First Name,Last Name,Email,Registration Time,Approval Status,Join Time,Leave Time,Time in Session (minutes),Is Guest,Country/Region Name
Yes,Anna Andersson,Anna,Andersson,anna@example.se,"Oct 20, 2025 10:11:12",approved,"Nov 6, 2025 09:58:40","Nov 6, 2025 10:40:00",42,Yes,Sweden
Yes,Anna Andersson,Anna,Andersson,Anna@Example.SE,"Oct 20, 2025 10:11:12",approved,"Nov 6, 2025 10:45:00","Nov 6, 2025 11:30:00",45,Yes,Sweden
Yes,Bertil Berg,Bertil,Berg,bertil.berg@privat.example,"Oct 21, 2025 08:00:00",approved,"Nov 6, 2025 10:00:00","Nov 6, 2025 11:30:00",90,Yes,Sweden
No,Cecilia Ceder,Cecilia,Ceder,cecilia@example.se,"Oct 22, 2025 08:00:00",approved,--,--,--,--,--
Yes,Gustav Gran,Gustav,Gran,gustav@example.se,"Nov 6, 2025 09:59:00",approved,"Nov 6, 2025 10:01:00","Nov 6, 2025 11:01:00",60,Yes,Sweden
"""

ZOOM_MEETING = """Meeting ID,Topic,Start Time,End Time,User Email,Duration (Minutes),Participants
812 3456 7890,Grundkurs om Hemtjänstindex,11/06/2025 09:55:12 AM,11/06/2025 11:31:00 AM,eva.eriksson@spfseniorerna.se,96,4

Name (Original Name),User Email,Join Time,Leave Time,Duration (Minutes),Guest
Anna Andersson,anna@example.se,11/06/2025 09:58:40 AM,11/06/2025 10:40:00 AM,42,Yes
Anna Andersson,anna@example.se,11/06/2025 10:45:00 AM,11/06/2025 11:30:00 AM,45,Yes
Bertil Berg,bertil.berg@privat.example,11/06/2025 10:00:00 AM,11/06/2025 11:30:00 AM,90,Yes
Gustav Gran,gustav@example.se,11/06/2025 10:01:00 AM,11/06/2025 11:01:00 AM,60,Yes
"""

TEAMS = """1. Summary
Meeting title\tGrundkurs om Hemtjänstindex
Attended participants\t4
Start time\t11/6/25, 9:55:12 AM
End time\t11/6/25, 11:31:00 AM
Meeting duration\t1h 35m 48s

2. Participants
Name\tFirst Join\tLast Leave\tIn-Meeting Duration\tEmail\tParticipant ID (UPN)\tRole
Eva Eriksson\t11/6/25, 9:50:01 AM\t11/6/25, 11:35:00 AM\t1h 45m\teva.eriksson@spfseniorerna.se\teva.eriksson@spfseniorerna.se\tOrganizer
Anna Andersson\t11/6/25, 9:58:40 AM\t11/6/25, 11:30:00 AM\t1h 27m\tanna@example.se\tanna@example.se\tAttendee
Bertil Berg\t11/6/25, 10:00:00 AM\t11/6/25, 11:30:00 AM\t1h 30m\tbertil.berg@privat.example\tbertil.berg@privat.example\tAttendee
Gustav Gran\t11/6/25, 10:01:00 AM\t11/6/25, 11:01:00 AM\t59m 40s\tgustav@example.se\tgustav@example.se\tAttendee

3. In-Meeting Activities
Name\tJoin Time\tLeave Time\tDuration\tEmail\tRole
Anna Andersson\t11/6/25, 9:58:40 AM\t11/6/25, 10:40:00 AM\t41m 20s\tanna@example.se\tAttendee
Anna Andersson\t11/6/25, 10:45:00 AM\t11/6/25, 11:30:00 AM\t45m\tanna@example.se\tAttendee
"""

PLAIN = "Namn;E-post;Minuter\nAnna Andersson;anna@example.se;87\nGustav Gran;gustav@example.se;60\n"

#: A Zoom export whose meeting has no one in it: the header only.
EMPTY_ZOOM_MEETING = "Name (Original Name),User Email,Join Time,Leave Time,Duration (Minutes),Guest\n"

#: The participants of a meeting in March: another event's report.
OTHER_EVENT = ZOOM_MEETING.replace("11/06/2025", "03/12/2025")


def teams_bytes() -> bytes:
    """Teams saves its report as UTF-16 with a BOM, tab-separated."""
    return TEAMS.encode("utf-16")


def xlsx_bytes() -> bytes:
    from hti_comms.exports import xlsx_document

    return xlsx_document("Närvaro", ["Namn", "E-post", "Minuter"],
                         [["Anna Andersson", "anna@example.se", 87], ["Gustav Gran", "gustav@example.se", 60]])
