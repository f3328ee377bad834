"""In-app notifications: new tickets, returned answers, due soon, overdue."""
