"""Background jobs of the running process: the scheduler, the outbox's delivery and leadership among workers."""
