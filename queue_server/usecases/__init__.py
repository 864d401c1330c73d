"""The use cases: each opens one unit of work (`db.unit.Tx`), calls the pure domain, writes its
events and answers wire models. They know SQL and the tables, never HTTP."""
