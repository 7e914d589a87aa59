"""The durable record: the database connection, its tables, the read queries and the migrations."""
