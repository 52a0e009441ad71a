-- zhifa: rebuild projections
-- Columns the domain's rules compute at projection time, so lists filter by index on what the
-- rule says instead of restating the rule in SQL (REG-2, REG-3):
-- officers.acting_until  = Officer::acting_until (last day the certificate lets its holder act);
-- item_versions.in_force_from/until = registry::in_force_periods (the days the version is the
-- one in force). Filled by the rebuild this migration asks for (first line), not by SQL here.
ALTER TABLE officers ADD COLUMN acting_until TEXT;
-- Alone, so it never competes with the (agency_path, certificate_no) index of the list.
CREATE INDEX officers_acting_until ON officers (acting_until);
ALTER TABLE item_versions ADD COLUMN in_force_from TEXT;
ALTER TABLE item_versions ADD COLUMN in_force_until TEXT;
CREATE INDEX item_versions_in_force ON item_versions (agency_id, in_force_from);
