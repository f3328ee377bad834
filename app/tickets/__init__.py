"""Response tickets (反馈工单): a yellow or red indicator value asks its organ to explain
itself within a number of working days; congress staff accept or return the answer, and a
value that turns green again closes the ticket by itself. The rules are in
:mod:`app.tickets.states`, the deadlines in :mod:`app.calendar.workdays`."""
