CREATE TABLE agency (
	id INTEGER NOT NULL, 
	code VARCHAR(64) NOT NULL, 
	code_key VARCHAR(64) NOT NULL, 
	name VARCHAR(500) NOT NULL, 
	name_key VARCHAR(500) NOT NULL, 
	created_at DATETIME NOT NULL, 
	updated_at DATETIME NOT NULL, 
	dissolved_on DATE, 
	PRIMARY KEY (id), 
	UNIQUE (code_key)
);

CREATE TABLE clusterctl_meta (
	name VARCHAR(64) NOT NULL, 
	value VARCHAR(1000) NOT NULL, 
	PRIMARY KEY (name)
);

CREATE TABLE directive (
	id INTEGER NOT NULL, 
	number VARCHAR(200) NOT NULL, 
	number_key VARCHAR(200) NOT NULL, 
	issued DATE NOT NULL, 
	issuer VARCHAR(500) NOT NULL, 
	title VARCHAR(4000) NOT NULL, 
	created_at DATETIME NOT NULL, 
	updated_at DATETIME NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (number_key)
);

CREATE TABLE import_run (
	id INTEGER NOT NULL, 
	at DATETIME NOT NULL, 
	actor VARCHAR(200) NOT NULL, 
	source VARCHAR(1000), 
	undo VARCHAR NOT NULL, 
	undone_at DATETIME, 
	undone_by VARCHAR(200), 
	PRIMARY KEY (id)
);

CREATE TABLE office_holiday (
	day DATE NOT NULL, 
	working BOOLEAN NOT NULL, 
	name VARCHAR(500) NOT NULL, 
	source VARCHAR(1000), 
	created_at DATETIME NOT NULL, 
	actor VARCHAR(200) NOT NULL, 
	PRIMARY KEY (day)
);

CREATE TABLE record_history (
	id INTEGER NOT NULL, 
	kind VARCHAR(16) NOT NULL, 
	record_id INTEGER NOT NULL, 
	at DATETIME NOT NULL, 
	effective DATE NOT NULL, 
	actor VARCHAR(200) NOT NULL, 
	action VARCHAR(32) NOT NULL, 
	changes VARCHAR NOT NULL, 
	note VARCHAR, 
	source VARCHAR(1000), 
	PRIMARY KEY (id)
);

CREATE INDEX ix_record_history_record ON record_history (kind, record_id, id);

CREATE TABLE setting (
	name VARCHAR(64) NOT NULL, 
	value VARCHAR(1000) NOT NULL, 
	updated_at DATETIME NOT NULL, 
	updated_by VARCHAR(200) NOT NULL, 
	PRIMARY KEY (name)
);

CREATE TABLE agency_alias (
	agency_id INTEGER NOT NULL, 
	alias VARCHAR(500) NOT NULL, 
	alias_key VARCHAR(500) NOT NULL, 
	PRIMARY KEY (agency_id, alias), 
	FOREIGN KEY(agency_id) REFERENCES agency (id) ON DELETE CASCADE
);

CREATE INDEX ix_agency_alias_alias_key ON agency_alias (alias_key);

CREATE TABLE agency_successor (
	agency_id INTEGER NOT NULL, 
	successor_id INTEGER NOT NULL, 
	position INTEGER NOT NULL, 
	PRIMARY KEY (agency_id, successor_id), 
	FOREIGN KEY(agency_id) REFERENCES agency (id), 
	FOREIGN KEY(successor_id) REFERENCES agency (id)
);

CREATE INDEX ix_agency_successor_successor_id ON agency_successor (successor_id);

CREATE TABLE task_series (
	id INTEGER NOT NULL, 
	directive_id INTEGER NOT NULL, 
	series_key VARCHAR(64) NOT NULL, 
	rule VARCHAR(500) NOT NULL, 
	rule_text VARCHAR(500) NOT NULL, 
	starts DATE NOT NULL, 
	until DATE, 
	covered_to DATE NOT NULL, 
	title VARCHAR(4000) NOT NULL, 
	lead_id INTEGER NOT NULL, 
	support VARCHAR NOT NULL, 
	priority BOOLEAN NOT NULL, 
	field VARCHAR(64), 
	created_at DATETIME NOT NULL, 
	updated_at DATETIME NOT NULL, 
	version INTEGER NOT NULL, 
	PRIMARY KEY (id), 
	CONSTRAINT uq_task_series_directive_key UNIQUE (directive_id, series_key), 
	FOREIGN KEY(directive_id) REFERENCES directive (id), 
	FOREIGN KEY(lead_id) REFERENCES agency (id)
);

CREATE TABLE task (
	id INTEGER NOT NULL, 
	directive_id INTEGER NOT NULL, 
	task_key VARCHAR(64) NOT NULL, 
	title VARCHAR(4000) NOT NULL, 
	title_key VARCHAR(4000) NOT NULL, 
	lead_id INTEGER NOT NULL, 
	due DATE, 
	original_due DATE, 
	status VARCHAR(16) NOT NULL, 
	completed_on DATE, 
	assigned_on DATE NOT NULL, 
	created_at DATETIME NOT NULL, 
	updated_at DATETIME NOT NULL, 
	version INTEGER NOT NULL, 
	deleted_on DATE, 
	priority BOOLEAN DEFAULT 0 NOT NULL, 
	field VARCHAR(64), 
	evidence VARCHAR(1000), 
	requested_due DATE, 
	series_id INTEGER, 
	PRIMARY KEY (id), 
	CONSTRAINT uq_task_directive_key UNIQUE (directive_id, task_key), 
	CONSTRAINT ck_task_due_iso CHECK (due IS NULL OR due GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]'), 
	CONSTRAINT ck_task_original_due_iso CHECK (original_due IS NULL OR original_due GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]'), 
	CONSTRAINT ck_task_completed_on_iso CHECK (completed_on IS NULL OR completed_on GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]'), 
	CONSTRAINT ck_task_requested_due_iso CHECK (requested_due IS NULL OR requested_due GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]'), 
	CONSTRAINT ck_task_version CHECK (version >= 1), 
	FOREIGN KEY(directive_id) REFERENCES directive (id), 
	FOREIGN KEY(lead_id) REFERENCES agency (id), 
	FOREIGN KEY(series_id) REFERENCES task_series (id)
);

CREATE INDEX ix_task_assigned_on ON task (assigned_on);

CREATE INDEX ix_task_deleted_on ON task (deleted_on);

CREATE INDEX ix_task_lead_priority_status ON task (lead_id, priority, status, due, completed_on);

CREATE INDEX ix_task_requested_due ON task (requested_due) WHERE requested_due IS NOT NULL;

CREATE INDEX ix_task_series_id ON task (series_id);

CREATE INDEX ix_task_status_due ON task (status, due, completed_on, lead_id);

CREATE TABLE import_base (
	task_id INTEGER NOT NULL, 
	said VARCHAR NOT NULL, 
	source VARCHAR(1000), 
	PRIMARY KEY (task_id), 
	FOREIGN KEY(task_id) REFERENCES task (id)
);

CREATE TABLE task_history (
	id INTEGER NOT NULL, 
	task_id INTEGER NOT NULL, 
	at DATETIME NOT NULL, 
	effective DATE NOT NULL, 
	actor VARCHAR(200) NOT NULL, 
	action VARCHAR(32) NOT NULL, 
	changes VARCHAR NOT NULL, 
	note VARCHAR, 
	source VARCHAR(1000), 
	undoes INTEGER, 
	PRIMARY KEY (id), 
	FOREIGN KEY(task_id) REFERENCES task (id)
);

CREATE INDEX ix_task_history_effective ON task_history (effective, id);

CREATE INDEX ix_task_history_task_id ON task_history (task_id);

CREATE TABLE task_state (
	task_id INTEGER NOT NULL, 
	valid_from DATE NOT NULL, 
	valid_to DATE NOT NULL, 
	title VARCHAR(4000) NOT NULL, 
	title_key VARCHAR(4000) NOT NULL, 
	lead_id INTEGER NOT NULL, 
	due DATE, 
	original_due DATE, 
	status VARCHAR(16) NOT NULL, 
	completed_on DATE, 
	PRIMARY KEY (task_id, valid_from), 
	FOREIGN KEY(task_id) REFERENCES task (id), 
	FOREIGN KEY(lead_id) REFERENCES agency (id)
);

CREATE INDEX ix_task_state_from ON task_state (valid_from, task_id);

CREATE INDEX ix_task_state_valid ON task_state (valid_to, valid_from);

CREATE TABLE task_support (
	task_id INTEGER NOT NULL, 
	agency_id INTEGER NOT NULL, 
	position INTEGER NOT NULL, 
	PRIMARY KEY (task_id, agency_id), 
	FOREIGN KEY(task_id) REFERENCES task (id) ON DELETE CASCADE, 
	FOREIGN KEY(agency_id) REFERENCES agency (id)
);

CREATE INDEX ix_task_support_agency_id ON task_support (agency_id);

CREATE TABLE task_support_state (
	task_id INTEGER NOT NULL, 
	agency_id INTEGER NOT NULL, 
	valid_from DATE NOT NULL, 
	valid_to DATE NOT NULL, 
	position INTEGER NOT NULL, 
	PRIMARY KEY (task_id, agency_id, valid_from), 
	FOREIGN KEY(task_id) REFERENCES task (id), 
	FOREIGN KEY(agency_id) REFERENCES agency (id)
);

CREATE INDEX ix_task_support_state_agency_id ON task_support_state (agency_id);

CREATE INDEX ix_task_support_state_from ON task_support_state (valid_from, task_id);

CREATE INDEX ix_task_support_state_to ON task_support_state (valid_to, task_id);

CREATE TRIGGER generation_agency_insert AFTER INSERT ON agency BEGIN UPDATE clusterctl_meta SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT) WHERE name = 'generation'; END;

CREATE TRIGGER generation_agency_update AFTER UPDATE ON agency BEGIN UPDATE clusterctl_meta SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT) WHERE name = 'generation'; END;

CREATE TRIGGER generation_agency_delete AFTER DELETE ON agency BEGIN UPDATE clusterctl_meta SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT) WHERE name = 'generation'; END;

CREATE TRIGGER generation_agency_alias_insert AFTER INSERT ON agency_alias BEGIN UPDATE clusterctl_meta SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT) WHERE name = 'generation'; END;

CREATE TRIGGER generation_agency_alias_update AFTER UPDATE ON agency_alias BEGIN UPDATE clusterctl_meta SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT) WHERE name = 'generation'; END;

CREATE TRIGGER generation_agency_alias_delete AFTER DELETE ON agency_alias BEGIN UPDATE clusterctl_meta SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT) WHERE name = 'generation'; END;

CREATE TRIGGER generation_directive_insert AFTER INSERT ON directive BEGIN UPDATE clusterctl_meta SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT) WHERE name = 'generation'; END;

CREATE TRIGGER generation_directive_update AFTER UPDATE ON directive BEGIN UPDATE clusterctl_meta SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT) WHERE name = 'generation'; END;

CREATE TRIGGER generation_directive_delete AFTER DELETE ON directive BEGIN UPDATE clusterctl_meta SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT) WHERE name = 'generation'; END;

CREATE TRIGGER generation_task_insert AFTER INSERT ON task BEGIN UPDATE clusterctl_meta SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT) WHERE name = 'generation'; END;

CREATE TRIGGER generation_task_update AFTER UPDATE ON task BEGIN UPDATE clusterctl_meta SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT) WHERE name = 'generation'; END;

CREATE TRIGGER generation_task_delete AFTER DELETE ON task BEGIN UPDATE clusterctl_meta SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT) WHERE name = 'generation'; END;

CREATE TRIGGER generation_task_support_insert AFTER INSERT ON task_support BEGIN UPDATE clusterctl_meta SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT) WHERE name = 'generation'; END;

CREATE TRIGGER generation_task_support_update AFTER UPDATE ON task_support BEGIN UPDATE clusterctl_meta SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT) WHERE name = 'generation'; END;

CREATE TRIGGER generation_task_support_delete AFTER DELETE ON task_support BEGIN UPDATE clusterctl_meta SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT) WHERE name = 'generation'; END;

CREATE TRIGGER generation_task_history_insert AFTER INSERT ON task_history BEGIN UPDATE clusterctl_meta SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT) WHERE name = 'generation'; END;

CREATE TRIGGER generation_task_history_update AFTER UPDATE ON task_history BEGIN UPDATE clusterctl_meta SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT) WHERE name = 'generation'; END;

CREATE TRIGGER generation_task_history_delete AFTER DELETE ON task_history BEGIN UPDATE clusterctl_meta SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT) WHERE name = 'generation'; END;

