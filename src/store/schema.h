/*
 * schema — the versioned migrations of the SQL schema, shared by the SQL
 * backends. Migration N (1-based) takes the schema from version N-1 to N;
 * a backend applies, in one transaction each, every migration above the
 * database's recorded version.
 */
#ifndef RG_SCHEMA_H
#define RG_SCHEMA_H

extern const char *const rg_schema_migrations[];
extern const int rg_schema_version;

#endif
