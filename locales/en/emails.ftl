# emails
