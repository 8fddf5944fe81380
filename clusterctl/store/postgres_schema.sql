CREATE TABLE agency (
	id SERIAL NOT NULL, 
	code VARCHAR(64) COLLATE "C" NOT NULL, 
	code_key VARCHAR(64) COLLATE "C" NOT NULL, 
	name VARCHAR(500) COLLATE "C" NOT NULL, 
	name_key VARCHAR(500) COLLATE "C" NOT NULL, 
	created_at TIMESTAMP WITH TIME ZONE NOT NULL, 
	updated_at TIMESTAMP WITH TIME ZONE NOT NULL, 
	dissolved_on DATE, 
	PRIMARY KEY (id), 
	UNIQUE (code_key)
);

CREATE TABLE clusterctl_meta (
	name VARCHAR(64) COLLATE "C" NOT NULL, 
	value VARCHAR COLLATE "C" NOT NULL, 
	PRIMARY KEY (name)
);

CREATE TABLE directive (
	id SERIAL NOT NULL, 
	number VARCHAR(200) COLLATE "C" NOT NULL, 
	number_key VARCHAR(200) COLLATE "C" NOT NULL, 
	issued DATE NOT NULL, 
	issuer VARCHAR(500) COLLATE "C" NOT NULL, 
	title VARCHAR(4000) COLLATE "C" NOT NULL, 
	created_at TIMESTAMP WITH TIME ZONE NOT NULL, 
	updated_at TIMESTAMP WITH TIME ZONE NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (number_key)
);

CREATE TABLE import_run (
	id SERIAL NOT NULL, 
	at TIMESTAMP WITH TIME ZONE NOT NULL, 
	actor VARCHAR(200) COLLATE "C" NOT NULL, 
	source VARCHAR COLLATE "C", 
	undo VARCHAR COLLATE "C" NOT NULL, 
	undone_at TIMESTAMP WITH TIME ZONE, 
	undone_by VARCHAR(200) COLLATE "C", 
	PRIMARY KEY (id)
);

CREATE TABLE office_holiday (
	day DATE NOT NULL, 
	working BOOLEAN NOT NULL, 
	name VARCHAR(500) COLLATE "C" NOT NULL, 
	source VARCHAR(1000) COLLATE "C", 
	created_at TIMESTAMP WITH TIME ZONE NOT NULL, 
	actor VARCHAR(200) COLLATE "C" NOT NULL, 
	PRIMARY KEY (day)
);

CREATE TABLE record_history (
	id SERIAL NOT NULL, 
	kind VARCHAR(16) COLLATE "C" NOT NULL, 
	record_id INTEGER NOT NULL, 
	at TIMESTAMP WITH TIME ZONE NOT NULL, 
	effective DATE NOT NULL, 
	actor VARCHAR(200) COLLATE "C" NOT NULL, 
	action VARCHAR(32) COLLATE "C" NOT NULL, 
	changes VARCHAR COLLATE "C" NOT NULL, 
	note VARCHAR COLLATE "C", 
	source VARCHAR COLLATE "C", 
	PRIMARY KEY (id)
);

CREATE INDEX ix_record_history_record ON record_history (kind, record_id, id);

CREATE TABLE setting (
	name VARCHAR(64) COLLATE "C" NOT NULL, 
	value VARCHAR(1000) COLLATE "C" NOT NULL, 
	updated_at TIMESTAMP WITH TIME ZONE NOT NULL, 
	updated_by VARCHAR(200) COLLATE "C" NOT NULL, 
	PRIMARY KEY (name)
);

CREATE TABLE agency_alias (
	agency_id INTEGER NOT NULL, 
	alias VARCHAR(500) COLLATE "C" NOT NULL, 
	alias_key VARCHAR(500) COLLATE "C" NOT NULL, 
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
	id SERIAL NOT NULL, 
	directive_id INTEGER NOT NULL, 
	series_key VARCHAR(64) COLLATE "C" NOT NULL, 
	rule VARCHAR(500) COLLATE "C" NOT NULL, 
	rule_text VARCHAR(500) COLLATE "C" NOT NULL, 
	starts DATE NOT NULL, 
	until DATE, 
	covered_to DATE NOT NULL, 
	title VARCHAR(4000) COLLATE "C" NOT NULL, 
	lead_id INTEGER NOT NULL, 
	support VARCHAR COLLATE "C" NOT NULL, 
	priority BOOLEAN NOT NULL, 
	field VARCHAR(64) COLLATE "C", 
	created_at TIMESTAMP WITH TIME ZONE NOT NULL, 
	updated_at TIMESTAMP WITH TIME ZONE NOT NULL, 
	version INTEGER NOT NULL, 
	PRIMARY KEY (id), 
	CONSTRAINT uq_task_series_directive_key UNIQUE (directive_id, series_key), 
	FOREIGN KEY(directive_id) REFERENCES directive (id), 
	FOREIGN KEY(lead_id) REFERENCES agency (id)
);

CREATE TABLE task (
	id SERIAL NOT NULL, 
	directive_id INTEGER NOT NULL, 
	task_key VARCHAR(64) COLLATE "C" NOT NULL, 
	title VARCHAR(4000) COLLATE "C" NOT NULL, 
	title_key VARCHAR(4000) COLLATE "C" NOT NULL, 
	lead_id INTEGER NOT NULL, 
	due DATE, 
	original_due DATE, 
	status VARCHAR(16) COLLATE "C" NOT NULL, 
	completed_on DATE, 
	assigned_on DATE NOT NULL, 
	created_at TIMESTAMP WITH TIME ZONE NOT NULL, 
	updated_at TIMESTAMP WITH TIME ZONE NOT NULL, 
	version INTEGER NOT NULL, 
	deleted_on DATE, 
	priority BOOLEAN DEFAULT false NOT NULL, 
	field VARCHAR(64) COLLATE "C", 
	evidence VARCHAR(1000) COLLATE "C", 
	requested_due DATE, 
	series_id INTEGER, 
	PRIMARY KEY (id), 
	CONSTRAINT uq_task_directive_key UNIQUE (directive_id, task_key), 
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
	said VARCHAR COLLATE "C" NOT NULL, 
	source VARCHAR COLLATE "C", 
	PRIMARY KEY (task_id), 
	FOREIGN KEY(task_id) REFERENCES task (id)
);

CREATE TABLE task_history (
	id SERIAL NOT NULL, 
	task_id INTEGER NOT NULL, 
	at TIMESTAMP WITH TIME ZONE NOT NULL, 
	effective DATE NOT NULL, 
	actor VARCHAR(200) COLLATE "C" NOT NULL, 
	action VARCHAR(32) COLLATE "C" NOT NULL, 
	changes VARCHAR COLLATE "C" NOT NULL, 
	note VARCHAR COLLATE "C", 
	source VARCHAR COLLATE "C", 
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
	title VARCHAR(4000) COLLATE "C" NOT NULL, 
	title_key VARCHAR(4000) COLLATE "C" NOT NULL, 
	lead_id INTEGER NOT NULL, 
	due DATE, 
	original_due DATE, 
	status VARCHAR(16) COLLATE "C" NOT NULL, 
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

CREATE FUNCTION clusterctl_bump_generation() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $$ BEGIN IF current_setting('clusterctl.bumped', true) = 'yes' THEN RETURN NULL; END IF; PERFORM set_config('clusterctl.bumped', 'yes', true); UPDATE clusterctl_meta SET value = CAST(CAST(value AS BIGINT) + 1 AS VARCHAR(64)) WHERE name = 'generation'; RETURN NULL; END $$;

CREATE TRIGGER generation_agency_insert AFTER INSERT ON agency FOR EACH STATEMENT EXECUTE FUNCTION clusterctl_bump_generation();

CREATE TRIGGER generation_agency_update AFTER UPDATE ON agency FOR EACH STATEMENT EXECUTE FUNCTION clusterctl_bump_generation();

CREATE TRIGGER generation_agency_delete AFTER DELETE ON agency FOR EACH STATEMENT EXECUTE FUNCTION clusterctl_bump_generation();

CREATE TRIGGER generation_agency_alias_insert AFTER INSERT ON agency_alias FOR EACH STATEMENT EXECUTE FUNCTION clusterctl_bump_generation();

CREATE TRIGGER generation_agency_alias_update AFTER UPDATE ON agency_alias FOR EACH STATEMENT EXECUTE FUNCTION clusterctl_bump_generation();

CREATE TRIGGER generation_agency_alias_delete AFTER DELETE ON agency_alias FOR EACH STATEMENT EXECUTE FUNCTION clusterctl_bump_generation();

CREATE TRIGGER generation_directive_insert AFTER INSERT ON directive FOR EACH STATEMENT EXECUTE FUNCTION clusterctl_bump_generation();

CREATE TRIGGER generation_directive_update AFTER UPDATE ON directive FOR EACH STATEMENT EXECUTE FUNCTION clusterctl_bump_generation();

CREATE TRIGGER generation_directive_delete AFTER DELETE ON directive FOR EACH STATEMENT EXECUTE FUNCTION clusterctl_bump_generation();

CREATE TRIGGER generation_task_insert AFTER INSERT ON task FOR EACH STATEMENT EXECUTE FUNCTION clusterctl_bump_generation();

CREATE TRIGGER generation_task_update AFTER UPDATE ON task FOR EACH STATEMENT EXECUTE FUNCTION clusterctl_bump_generation();

CREATE TRIGGER generation_task_delete AFTER DELETE ON task FOR EACH STATEMENT EXECUTE FUNCTION clusterctl_bump_generation();

CREATE TRIGGER generation_task_support_insert AFTER INSERT ON task_support FOR EACH STATEMENT EXECUTE FUNCTION clusterctl_bump_generation();

CREATE TRIGGER generation_task_support_update AFTER UPDATE ON task_support FOR EACH STATEMENT EXECUTE FUNCTION clusterctl_bump_generation();

CREATE TRIGGER generation_task_support_delete AFTER DELETE ON task_support FOR EACH STATEMENT EXECUTE FUNCTION clusterctl_bump_generation();

CREATE TRIGGER generation_task_history_insert AFTER INSERT ON task_history FOR EACH STATEMENT EXECUTE FUNCTION clusterctl_bump_generation();

CREATE TRIGGER generation_task_history_update AFTER UPDATE ON task_history FOR EACH STATEMENT EXECUTE FUNCTION clusterctl_bump_generation();

CREATE TRIGGER generation_task_history_delete AFTER DELETE ON task_history FOR EACH STATEMENT EXECUTE FUNCTION clusterctl_bump_generation();

