"""RQ queues, job functions and their enqueueing after commit."""
