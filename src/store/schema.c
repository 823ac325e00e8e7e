#include "store/schema.h"

/* Migration 20's pieces (the report summary's triggers). */
/* the last message sent for payments.invoice_id at or before payments.paid_at
 * (the later id when two were sent in the same second); two aggregates,
 * not ORDER BY ... LIMIT 1: no temporary b-tree in a write's trigger */
#define LAST_TOUCH                                                                                                  \
    "(SELECT max(x.id) FROM messages x WHERE x.invoice_id = payments.invoice_id AND x.sent_at ="                   \
    " (SELECT max(y.sent_at) FROM messages y WHERE y.invoice_id = payments.invoice_id"                             \
    "  AND y.sent_at <= payments.paid_at))"
#define ATTRIBUTION_SUMS "payments = payments + excluded.payments, amount = amount + excluded.amount"
#define PAID_SUMS                                                                                                   \
    "paid_m1 = paid_m1 + excluded.paid_m1, paid_0 = paid_0 + excluded.paid_0,"                                      \
    " paid_1_6 = paid_1_6 + excluded.paid_1_6, paid_7 = paid_7 + excluded.paid_7,"                                 \
    " paid_8 = paid_8 + excluded.paid_8, paid_9 = paid_9 + excluded.paid_9"
/* adds (S "1") or takes out (S "-1") message row R ("new"/"old") of report_funnel */
#define FUNNEL_ADD(R, S)                                                                                            \
    "INSERT INTO report_funnel (slot, cadence, step, channel, sent, delivered, engaged, cost,"                     \
    " paid_m1, paid_0, paid_1_6, paid_7, paid_8, paid_9)"                                                          \
    " SELECT " R ".sent_at / 900, " R ".cadence, " R ".source_id, " R ".channel, " S ","                           \
    " " S " * (" R ".delivered_at IS NOT NULL), " S " * (" R ".read_at IS NOT NULL OR " R ".opened_at IS NOT NULL)," \
    " " S " * " R ".cost, " S " * (d = -1), " S " * (d = 0), " S " * (d BETWEEN 1 AND 6), " S " * (d = 7),"          \
    " " S " * (d = 8), " S " * (d >= 9)"                                                                           \
    " FROM (SELECT coalesce((SELECT paid_on FROM invoices WHERE id = " R ".invoice_id) - " R ".sent_at / 86400,"    \
    " -99) AS d) WHERE " R ".sent_at IS NOT NULL"                                                                   \
    " ON CONFLICT DO UPDATE SET sent = sent + excluded.sent, delivered = delivered + excluded.delivered,"           \
    " engaged = engaged + excluded.engaged, cost = cost + excluded.cost, " PAID_SUMS
/* adds (S "1") or takes out (S "-1") the payments p WHERE COND of
 * report_attribution, under their touch_id's message */
#define ATTRIBUTION_ADD(COND, S)                                                                                    \
    "INSERT INTO report_attribution (slot, touched, cadence, step, channel, payments, amount)"                     \
    " SELECT p.paid_at / 900, m.id IS NOT NULL, coalesce(m.cadence, ''), coalesce(m.source_id, ''),"              \
    " coalesce(m.channel, ''), " S ", " S " * p.amount"                                                            \
    " FROM payments p LEFT JOIN messages m ON m.id = p.touch_id WHERE " COND                                       \
    " ON CONFLICT DO UPDATE SET " ATTRIBUTION_SUMS
/* the payments WHERE COND(T) (T: the table's name there; a condition that
 * does not read touch_id) get their last touch again: out of
 * report_attribution, touch_id set, back in */
#define RETOUCH(COND)                                                                                               \
    ATTRIBUTION_ADD(COND("p"), "-1") "; UPDATE payments SET touch_id = " LAST_TOUCH " WHERE " COND("payments")    \
    "; " ATTRIBUTION_ADD(COND("p"), "1") "; "
/* a message's send: the payments of its invoice at or after it */
#define AFTER_SEND(T) T ".invoice_id = new.invoice_id AND " T ".paid_at >= new.sent_at"
/* a message moved (sent_at or invoice): the payments it may have been the
 * last touch of (a set that does not depend on touch_id, which RETOUCH changes) */
#define WAS_TOUCH(T)                                                                                                \
    T ".invoice_id = old.invoice_id AND " T ".paid_at >= old.sent_at"                                              \
    " AND (old.sent_at IS NOT new.sent_at OR old.invoice_id IS NOT new.invoice_id)"
#define MOVED_SEND(T) AFTER_SEND(T) " AND (old.sent_at IS NOT new.sent_at OR old.invoice_id IS NOT new.invoice_id)"
/* adds or takes out invoice row R of report_due (not when cancelled) */
#define DUE_ADD(R, S)                                                                                               \
    "INSERT INTO report_due (due_date, paid, paid_on, invoices, amount, recovered)"                                \
    " SELECT " R ".due_date, " R ".paid_on IS NOT NULL, coalesce(" R ".paid_on, 0), " S ", " S " * " R ".amount,"  \
    " " S " * min(" R ".paid, " R ".amount) WHERE " R ".status <> 'cancelled'"                                      \
    " ON CONFLICT DO UPDATE SET invoices = invoices + excluded.invoices, amount = amount + excluded.amount,"        \
    " recovered = recovered + excluded.recovered"
#define KEY_CHANGED "old.cadence <> new.cadence OR old.source_id <> new.source_id OR old.channel <> new.channel"
/* in the messages trigger: the payments whose last touch this message is
 * follow a change of its cadence, step or channel (out under old, in under new) */
#define ATTRIBUTION_MOVE(R, S)                                                                                      \
    "INSERT INTO report_attribution (slot, touched, cadence, step, channel, payments, amount)"                     \
    " SELECT p.paid_at / 900, 1, " R ".cadence, " R ".source_id, " R ".channel, " S ", " S " * p.amount"           \
    " FROM payments p WHERE p.invoice_id = old.invoice_id AND p.touch_id = old.id AND (" KEY_CHANGED ")"           \
    " ON CONFLICT DO UPDATE SET " ATTRIBUTION_SUMS


/* Dates are INTEGER days since 1970-01-01; instants INTEGER seconds (UTC);
 * money INTEGER centavos; percentages INTEGER hundredths of a percent. */
const char *const rg_schema_migrations[] = {
    /* 1: the data model of PRODUCT.md §1 */
    "CREATE TABLE customers ("
    " id INTEGER PRIMARY KEY,"
    " external_id TEXT NOT NULL UNIQUE,"
    " name TEXT NOT NULL,"
    " document TEXT NOT NULL DEFAULT '',"
    " kind TEXT NOT NULL DEFAULT '' CHECK (kind IN ('', 'PF', 'PJ')),"
    " email TEXT NOT NULL DEFAULT '',"
    " phone TEXT NOT NULL DEFAULT '',"
    " whatsapp TEXT NOT NULL DEFAULT '',"
    " preferred_channel TEXT NOT NULL DEFAULT '',"
    " timezone TEXT NOT NULL DEFAULT '',"
    " tags TEXT NOT NULL DEFAULT '',"
    " street TEXT NOT NULL DEFAULT '',"
    " number TEXT NOT NULL DEFAULT '',"
    " complement TEXT NOT NULL DEFAULT '',"
    " district TEXT NOT NULL DEFAULT '',"
    " city TEXT NOT NULL DEFAULT '',"
    " state TEXT NOT NULL DEFAULT '',"
    " zip TEXT NOT NULL DEFAULT '',"
    " created_at INTEGER NOT NULL,"
    " updated_at INTEGER NOT NULL"
    ") STRICT;"
    "CREATE TABLE customer_optouts ("
    " customer_id INTEGER NOT NULL REFERENCES customers(id),"
    " channel TEXT NOT NULL,"
    " at INTEGER NOT NULL,"
    " how TEXT NOT NULL,"
    " PRIMARY KEY (customer_id, channel)"
    ") STRICT, WITHOUT ROWID;"
    "CREATE TABLE invoices ("
    " id INTEGER PRIMARY KEY,"
    " external_id TEXT NOT NULL UNIQUE,"
    " customer_id INTEGER NOT NULL REFERENCES customers(id),"
    " description TEXT NOT NULL DEFAULT '',"
    " amount INTEGER NOT NULL CHECK (amount >= 0),"
    " paid INTEGER NOT NULL DEFAULT 0 CHECK (paid >= 0),"
    " issue_date INTEGER,"
    " due_date INTEGER NOT NULL,"
    " status TEXT NOT NULL DEFAULT 'open'"
    "  CHECK (status IN ('open', 'paid', 'cancelled', 'renegotiated', 'written_off')),"
    " boleto_bank TEXT NOT NULL DEFAULT '',"
    " nosso_numero TEXT NOT NULL DEFAULT '',"
    " barcode TEXT NOT NULL DEFAULT '',"
    " linha_digitavel TEXT NOT NULL DEFAULT '',"
    " pix_code TEXT NOT NULL DEFAULT '',"
    " payment_url TEXT NOT NULL DEFAULT '',"
    " fine_pct INTEGER,"
    " interest_month_pct INTEGER,"
    " tags TEXT NOT NULL DEFAULT '',"
    " cadence_override TEXT NOT NULL DEFAULT '',"
    " reissued_due_date INTEGER,"
    " reissued_amount INTEGER,"
    " paid_on INTEGER,"
    /* the engine's record of the invoice's cadence: kept on the row the tick
     * reads anyway, so planning costs no extra lookups or inserts */
    " progress_cadence TEXT,"
    " progress_version TEXT,"
    " progress TEXT,"
    " created_at INTEGER NOT NULL,"
    " updated_at INTEGER NOT NULL"
    ") STRICT;"
    "CREATE INDEX invoices_customer ON invoices (customer_id);"
    "CREATE INDEX invoices_open_due ON invoices (due_date) WHERE status = 'open';"
    "CREATE INDEX invoices_open_customer ON invoices (customer_id, id) WHERE status = 'open';"
    "CREATE INDEX invoices_nosso_numero ON invoices (ltrim(nosso_numero, '0')) WHERE nosso_numero <> '';"
    "CREATE TABLE invoice_reissues ("
    " id INTEGER PRIMARY KEY,"
    " invoice_id INTEGER NOT NULL REFERENCES invoices(id),"
    " at INTEGER NOT NULL,"
    " old_due_date INTEGER NOT NULL,"
    " new_due_date INTEGER NOT NULL,"
    " principal INTEGER NOT NULL,"
    " fine INTEGER NOT NULL,"
    " interest INTEGER NOT NULL,"
    " updated_amount INTEGER NOT NULL,"
    " barcode TEXT NOT NULL DEFAULT '',"
    " linha_digitavel TEXT NOT NULL DEFAULT '',"
    " pix_code TEXT NOT NULL DEFAULT ''"
    ") STRICT;"
    "CREATE TABLE payments ("
    " id INTEGER PRIMARY KEY,"
    " invoice_id INTEGER NOT NULL REFERENCES invoices(id),"
    " amount INTEGER NOT NULL CHECK (amount > 0),"
    " paid_at INTEGER NOT NULL,"
    " method TEXT NOT NULL DEFAULT '',"
    " source TEXT NOT NULL CHECK (source IN ('api', 'csv', 'cnab', 'pix', 'manual')),"
    " reference TEXT NOT NULL,"
    " created_at INTEGER NOT NULL,"
    " UNIQUE (invoice_id, reference)"
    ") STRICT;"
    "CREATE TABLE events ("
    " id INTEGER PRIMARY KEY,"
    " type TEXT NOT NULL,"
    " at INTEGER NOT NULL,"
    " source TEXT NOT NULL,"
    " customer_id INTEGER,"
    " invoice_id INTEGER,"
    " message_id INTEGER,"
    " payload TEXT NOT NULL DEFAULT '{}'"
    ") STRICT;"
    "CREATE INDEX events_invoice ON events (invoice_id, at) WHERE invoice_id IS NOT NULL;"
    "CREATE INDEX events_customer ON events (customer_id, at) WHERE customer_id IS NOT NULL;"
    "CREATE INDEX events_type_at ON events (type, at);"
    "CREATE TABLE messages ("
    " id INTEGER PRIMARY KEY,"
    " idempotency_key TEXT NOT NULL UNIQUE,"
    " customer_id INTEGER NOT NULL REFERENCES customers(id),"
    " invoice_id INTEGER REFERENCES invoices(id),"
    " cadence TEXT NOT NULL DEFAULT '',"
    " cadence_version TEXT NOT NULL DEFAULT '',"
    " source_kind TEXT NOT NULL CHECK (source_kind IN ('step', 'trigger', 'manual')),"
    " source_id TEXT NOT NULL,"
    " channel TEXT NOT NULL DEFAULT '',"
    " fallbacks TEXT NOT NULL DEFAULT '',"
    " template TEXT NOT NULL DEFAULT '',"
    " subject TEXT NOT NULL DEFAULT '',"
    " body TEXT NOT NULL DEFAULT '',"
    " html TEXT NOT NULL DEFAULT '',"
    " payload TEXT NOT NULL DEFAULT '{}',"
    " status TEXT NOT NULL CHECK (status IN ('planned', 'queued', 'sending', 'sent', 'delivered',"
    "  'read', 'failed', 'cancelled', 'suppressed')),"
    " reason TEXT NOT NULL DEFAULT '',"
    " attempts INTEGER NOT NULL DEFAULT 0,"
    " provider_id TEXT NOT NULL DEFAULT '',"
    " planned_for INTEGER NOT NULL,"
    " next_attempt_at INTEGER,"
    " lease_owner TEXT NOT NULL DEFAULT '',"
    " lease_until INTEGER,"
    " sent_at INTEGER,"
    " delivered_at INTEGER,"
    " read_at INTEGER,"
    " cost INTEGER NOT NULL DEFAULT 0,"
    " created_at INTEGER NOT NULL,"
    " updated_at INTEGER NOT NULL"
    ") STRICT;"
    "CREATE INDEX messages_pending ON messages (next_attempt_at) WHERE status IN ('queued', 'sending');"
    "CREATE INDEX messages_customer ON messages (customer_id, planned_for);"
    "CREATE INDEX messages_invoice ON messages (invoice_id) WHERE invoice_id IS NOT NULL;"
    "CREATE TABLE message_invoices ("
    " message_id INTEGER NOT NULL REFERENCES messages(id),"
    " invoice_id INTEGER NOT NULL REFERENCES invoices(id),"
    " PRIMARY KEY (message_id, invoice_id)"
    ") STRICT, WITHOUT ROWID;"
    "CREATE INDEX message_invoices_invoice ON message_invoices (invoice_id);"
    "CREATE TABLE tasks ("
    " id INTEGER PRIMARY KEY,"
    " kind TEXT NOT NULL,"
    " customer_id INTEGER NOT NULL REFERENCES customers(id),"
    " invoice_id INTEGER REFERENCES invoices(id),"
    " source TEXT NOT NULL DEFAULT '',"
    " assignee TEXT NOT NULL DEFAULT '',"
    " due_at INTEGER NOT NULL,"
    " status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'claimed', 'done', 'cancelled')),"
    " outcome TEXT NOT NULL DEFAULT '',"
    " note TEXT NOT NULL DEFAULT '',"
    " created_at INTEGER NOT NULL,"
    " claimed_at INTEGER,"
    " done_at INTEGER"
    ") STRICT;"
    "CREATE INDEX tasks_open ON tasks (due_at) WHERE status IN ('open', 'claimed');"
    "CREATE TABLE promises ("
    " id INTEGER PRIMARY KEY,"
    " customer_id INTEGER NOT NULL REFERENCES customers(id),"
    " invoice_id INTEGER REFERENCES invoices(id),"
    " promised_date INTEGER NOT NULL,"
    " amount INTEGER NOT NULL DEFAULT 0,"
    " status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'kept', 'broken', 'cancelled')),"
    " source TEXT NOT NULL DEFAULT '',"
    " created_at INTEGER NOT NULL,"
    " resolved_at INTEGER"
    ") STRICT;"
    "CREATE TABLE agreements ("
    " id INTEGER PRIMARY KEY,"
    " customer_id INTEGER NOT NULL REFERENCES customers(id),"
    " status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('proposed', 'active', 'completed', 'broken', 'cancelled')),"
    " installments INTEGER NOT NULL CHECK (installments > 0),"
    " total INTEGER NOT NULL,"
    " created_at INTEGER NOT NULL"
    ") STRICT;"
    "CREATE TABLE agreement_invoices ("
    " agreement_id INTEGER NOT NULL REFERENCES agreements(id),"
    " invoice_id INTEGER NOT NULL REFERENCES invoices(id),"
    " role TEXT NOT NULL CHECK (role IN ('original', 'installment')),"
    " PRIMARY KEY (agreement_id, invoice_id)"
    ") STRICT, WITHOUT ROWID;"
    "CREATE TABLE bureau_listings ("
    " id INTEGER PRIMARY KEY,"
    " invoice_id INTEGER NOT NULL UNIQUE REFERENCES invoices(id),"
    " status TEXT NOT NULL CHECK (status IN ('notice_sent', 'requested', 'listed', 'removal_requested', 'removed')),"
    " notice_at INTEGER,"
    " requested_at INTEGER,"
    " listed_at INTEGER,"
    " removal_requested_at INTEGER,"
    " removed_at INTEGER,"
    " provider_ref TEXT NOT NULL DEFAULT ''"
    ") STRICT;"
    "CREATE TABLE api_keys ("
    " id INTEGER PRIMARY KEY,"
    " name TEXT NOT NULL,"
    " role TEXT NOT NULL CHECK (role IN ('admin', 'operator', 'viewer')),"
    " prefix TEXT NOT NULL,"
    " key_hash TEXT NOT NULL UNIQUE,"
    " created_at INTEGER NOT NULL,"
    " revoked_at INTEGER"
    ") STRICT;"
    "CREATE TABLE trigger_timers ("
    " id INTEGER PRIMARY KEY,"
    " cadence TEXT NOT NULL,"
    " trigger_id TEXT NOT NULL,"
    " event_id INTEGER NOT NULL REFERENCES events(id),"
    " customer_id INTEGER NOT NULL REFERENCES customers(id),"
    " invoice_id INTEGER REFERENCES invoices(id),"
    " fire_at INTEGER NOT NULL,"
    " status TEXT NOT NULL DEFAULT 'waiting' CHECK (status IN ('waiting', 'fired', 'cancelled')),"
    " reason TEXT NOT NULL DEFAULT '',"
    " created_at INTEGER NOT NULL,"
    " UNIQUE (cadence, trigger_id, event_id)"
    ") STRICT;"
    "CREATE INDEX trigger_timers_due ON trigger_timers (fire_at) WHERE status = 'waiting';",
    /* 2: inbound webhooks find messages by the provider's id and customers by number
     * (a customer's own messages are few: messages_customer serves the rest) */
    "CREATE INDEX messages_provider ON messages (provider_id) WHERE provider_id <> '';"
    "CREATE INDEX customers_whatsapp ON customers (whatsapp) WHERE whatsapp <> '';"
    "CREATE INDEX customers_phone ON customers (phone) WHERE phone <> '';",
    /* 3 (letters/bureau/tasks): a task made by the `task` channel carries its
     * message (one task per message) and the rendered text; bureau requests
     * record their attempts; promises are listed per invoice. */
    "ALTER TABLE tasks ADD COLUMN message_id INTEGER REFERENCES messages(id);"
    "ALTER TABLE tasks ADD COLUMN text TEXT NOT NULL DEFAULT '';"
    "CREATE UNIQUE INDEX tasks_message ON tasks (message_id) WHERE message_id IS NOT NULL;"
    "ALTER TABLE bureau_listings ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE bureau_listings ADD COLUMN last_attempt_at INTEGER;"
    "ALTER TABLE bureau_listings ADD COLUMN last_error TEXT NOT NULL DEFAULT '';"
    "CREATE INDEX bureau_listings_pending ON bureau_listings (id) WHERE status IN ('requested', 'removal_requested');"
    "CREATE INDEX promises_invoice ON promises (invoice_id) WHERE invoice_id IS NOT NULL;",
    /* 4: the dispatcher's outbox. handed_at: when the current attempt was
     * handed to a provider that takes no idempotency key (NULL otherwise);
     * a lease found expired with it set means the delivery is uncertain. */
    "ALTER TABLE messages ADD COLUMN handed_at INTEGER;"
    "CREATE INDEX messages_outbox ON messages (channel, next_attempt_at) WHERE status = 'queued';"
    "CREATE INDEX messages_leased ON messages (lease_until) WHERE status = 'sending';",
    /* 5 (corr-engine): when each cadence step was first seen, so that a step
     * added (or renamed) after an invoice passed its offset is skipped, not
     * fired; step '' stands for the cadence itself. */
    "CREATE TABLE cadence_steps_seen ("
    " cadence TEXT NOT NULL,"
    " step TEXT NOT NULL,"
    " first_seen INTEGER NOT NULL,"
    " PRIMARY KEY (cadence, step)"
    ") STRICT, WITHOUT ROWID;",
    /* 6: the agenda. next_at: the instant the tick must plan the invoice
     * again (NULL: nothing will happen by itself); 0 on a new row, so the
     * next tick plans it. agenda_wakes counts the wakes (store.h,
     * rg_store_invoice_wake): the tick writes its computed instant only
     * when no wake came after it read the row. agenda_state: what the
     * stored instants were planned with, and the cursor of a re-plan. */
    "ALTER TABLE invoices ADD COLUMN next_at INTEGER DEFAULT 0;"
    "ALTER TABLE invoices ADD COLUMN agenda_wakes INTEGER NOT NULL DEFAULT 0;"
    "CREATE INDEX invoices_agenda ON invoices (next_at, customer_id) WHERE status = 'open' AND next_at IS NOT NULL;"
    "CREATE TABLE agenda_state ("
    " id INTEGER PRIMARY KEY CHECK (id = 1),"
    " fingerprint TEXT NOT NULL DEFAULT '',"
    " replan_fingerprint TEXT NOT NULL DEFAULT '',"
    " replan_after INTEGER NOT NULL DEFAULT 0"
    ") STRICT;"
    "INSERT INTO agenda_state (id) VALUES (1);",
    /* 7 (corr-lint): each version of each cadence the tick has run, when it
     * was first seen, and its `allow_contact_outside_hours` reason (NULL:
     * none): the reason for contacting outside 08:00-20:00 or on Sunday is
     * recorded with the version that messages name (cadence_version). */
    "CREATE TABLE cadence_versions ("
    " cadence TEXT NOT NULL,"
    " version TEXT NOT NULL,"
    " first_seen INTEGER NOT NULL,"
    " allow_contact_outside_hours TEXT,"
    " PRIMARY KEY (cadence, version)"
    ") STRICT, WITHOUT ROWID;",
    /* 8 (events-holds): holds on an invoice's steps — a promise's `pause`
     * (promise_id: while that promise is pending), a trigger's `pause`, a
     * dispute (step '': every step, and the invoice's trigger messages,
     * tasks and bureau actions); released_at NULL while it holds. A
     * promise's deadline is its date plus grace_days (the pausing trigger's
     * pause_grace_days). Offers (a trigger's or step's `offer:`): what is
     * waived, the discount in centavos at the time, valid until an instant;
     * waived: what a payment of the offer's amount left unpaid, recorded as
     * waived when it settled the invoice. */
    "CREATE TABLE invoice_holds ("
    " id INTEGER PRIMARY KEY,"
    " invoice_id INTEGER NOT NULL REFERENCES invoices(id),"
    " step TEXT NOT NULL DEFAULT '',"
    " reason TEXT NOT NULL,"
    " promise_id INTEGER REFERENCES promises(id),"
    " created_at INTEGER NOT NULL,"
    " released_at INTEGER,"
    " released_by TEXT NOT NULL DEFAULT ''"
    ") STRICT;"
    "CREATE INDEX invoice_holds_active ON invoice_holds (invoice_id) WHERE released_at IS NULL;"
    "CREATE INDEX invoice_holds_invoice ON invoice_holds (invoice_id, id);"
    "ALTER TABLE promises ADD COLUMN grace_days INTEGER NOT NULL DEFAULT 0;"
    "CREATE INDEX promises_pending ON promises (invoice_id) WHERE status = 'pending' AND invoice_id IS NOT NULL;"
    "CREATE TABLE offers ("
    " id INTEGER PRIMARY KEY,"
    " invoice_id INTEGER NOT NULL REFERENCES invoices(id),"
    " source TEXT NOT NULL DEFAULT '',"
    " waive_interest INTEGER NOT NULL DEFAULT 0,"
    " waive_fine INTEGER NOT NULL DEFAULT 0,"
    " discount_pct INTEGER NOT NULL DEFAULT 0,"
    " discount INTEGER NOT NULL DEFAULT 0 CHECK (discount >= 0),"
    " created_at INTEGER NOT NULL,"
    " valid_until INTEGER NOT NULL,"
    " status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'settled', 'cancelled')),"
    " settled_at INTEGER,"
    " waived INTEGER NOT NULL DEFAULT 0"
    ") STRICT;"
    "CREATE INDEX offers_invoice ON offers (invoice_id, valid_until);",
    /* 9 (deliv-dispatch): status 'uncertain' — an attempt may have reached
     * a provider that cannot de-duplicate, and the channel's on_uncertain is
     * `review`: the message waits for an operator (with a task) instead of
     * being called failed. SQLite cannot change a CHECK in place: the table
     * is rebuilt (the documented 12-step way: the runner turns foreign keys
     * off around migrations and checks them before each commit), with the
     * same columns in the same order and the same indexes. */
    "CREATE TABLE messages_new ("
    " id INTEGER PRIMARY KEY,"
    " idempotency_key TEXT NOT NULL UNIQUE,"
    " customer_id INTEGER NOT NULL REFERENCES customers(id),"
    " invoice_id INTEGER REFERENCES invoices(id),"
    " cadence TEXT NOT NULL DEFAULT '',"
    " cadence_version TEXT NOT NULL DEFAULT '',"
    " source_kind TEXT NOT NULL CHECK (source_kind IN ('step', 'trigger', 'manual')),"
    " source_id TEXT NOT NULL,"
    " channel TEXT NOT NULL DEFAULT '',"
    " fallbacks TEXT NOT NULL DEFAULT '',"
    " template TEXT NOT NULL DEFAULT '',"
    " subject TEXT NOT NULL DEFAULT '',"
    " body TEXT NOT NULL DEFAULT '',"
    " html TEXT NOT NULL DEFAULT '',"
    " payload TEXT NOT NULL DEFAULT '{}',"
    " status TEXT NOT NULL CHECK (status IN ('planned', 'queued', 'sending', 'sent', 'delivered',"
    "  'read', 'failed', 'cancelled', 'suppressed', 'uncertain')),"
    " reason TEXT NOT NULL DEFAULT '',"
    " attempts INTEGER NOT NULL DEFAULT 0,"
    " provider_id TEXT NOT NULL DEFAULT '',"
    " planned_for INTEGER NOT NULL,"
    " next_attempt_at INTEGER,"
    " lease_owner TEXT NOT NULL DEFAULT '',"
    " lease_until INTEGER,"
    " sent_at INTEGER,"
    " delivered_at INTEGER,"
    " read_at INTEGER,"
    " cost INTEGER NOT NULL DEFAULT 0,"
    " created_at INTEGER NOT NULL,"
    " updated_at INTEGER NOT NULL,"
    " handed_at INTEGER"
    ") STRICT;"
    "INSERT INTO messages_new (id, idempotency_key, customer_id, invoice_id, cadence, cadence_version, source_kind,"
    " source_id, channel, fallbacks, template, subject, body, html, payload, status, reason, attempts, provider_id,"
    " planned_for, next_attempt_at, lease_owner, lease_until, sent_at, delivered_at, read_at, cost, created_at,"
    " updated_at, handed_at)"
    " SELECT id, idempotency_key, customer_id, invoice_id, cadence, cadence_version, source_kind,"
    " source_id, channel, fallbacks, template, subject, body, html, payload, status, reason, attempts, provider_id,"
    " planned_for, next_attempt_at, lease_owner, lease_until, sent_at, delivered_at, read_at, cost, created_at,"
    " updated_at, handed_at FROM messages;"
    "DROP TABLE messages;"
    "ALTER TABLE messages_new RENAME TO messages;"
    "CREATE INDEX messages_pending ON messages (next_attempt_at) WHERE status IN ('queued', 'sending');"
    "CREATE INDEX messages_customer ON messages (customer_id, planned_for);"
    "CREATE INDEX messages_invoice ON messages (invoice_id) WHERE invoice_id IS NOT NULL;"
    "CREATE INDEX messages_provider ON messages (provider_id) WHERE provider_id <> '';"
    "CREATE INDEX messages_outbox ON messages (channel, next_attempt_at) WHERE status = 'queued';"
    "CREATE INDEX messages_leased ON messages (lease_until) WHERE status = 'sending';"
    "CREATE INDEX messages_uncertain ON messages (updated_at) WHERE status = 'uncertain';",
    /* 10 (events-triggers): when a trigger timer fired or was cancelled, and a
     * customer's waiting timers, which every event of the customer looks
     * at (an `unless` cancels them). */
    "ALTER TABLE trigger_timers ADD COLUMN done_at INTEGER;"
    "CREATE INDEX trigger_timers_customer ON trigger_timers (customer_id) WHERE status = 'waiting';"
    "CREATE INDEX trigger_timers_invoice ON trigger_timers (invoice_id) WHERE invoice_id IS NOT NULL;",
    /* 11 (events-holds): a customer's pending promises about its whole debt
     * (no invoice), which the tick reads with each of its invoices. */
    "CREATE INDEX promises_customer_pending ON promises (customer_id) WHERE status = 'pending' AND invoice_id IS NULL;",
    /* 12 (events-bench): the CHECKs of the two tables written row by row on
     * the hot paths (the tick's messages, the events' timers) as OR chains.
     * SQLite builds a temporary b-tree for `x IN (3 or more values)` each
     * time a CHECK runs, once per row written: ~3 µs a row, a quarter of a
     * tick's message inserts (docs/BENCHMARKS.md, "The agenda"). Same
     * values, columns, order and indexes; rebuilt as in 9. */
    "CREATE TABLE messages_new ("
    " id INTEGER PRIMARY KEY,"
    " idempotency_key TEXT NOT NULL UNIQUE,"
    " customer_id INTEGER NOT NULL REFERENCES customers(id),"
    " invoice_id INTEGER REFERENCES invoices(id),"
    " cadence TEXT NOT NULL DEFAULT '',"
    " cadence_version TEXT NOT NULL DEFAULT '',"
    " source_kind TEXT NOT NULL CHECK (source_kind = 'step' OR source_kind = 'trigger' OR source_kind = 'manual'),"
    " source_id TEXT NOT NULL,"
    " channel TEXT NOT NULL DEFAULT '',"
    " fallbacks TEXT NOT NULL DEFAULT '',"
    " template TEXT NOT NULL DEFAULT '',"
    " subject TEXT NOT NULL DEFAULT '',"
    " body TEXT NOT NULL DEFAULT '',"
    " html TEXT NOT NULL DEFAULT '',"
    " payload TEXT NOT NULL DEFAULT '{}',"
    " status TEXT NOT NULL CHECK (status = 'planned' OR status = 'queued' OR status = 'sending' OR status = 'sent'"
    "  OR status = 'delivered' OR status = 'read' OR status = 'failed' OR status = 'cancelled'"
    "  OR status = 'suppressed' OR status = 'uncertain'),"
    " reason TEXT NOT NULL DEFAULT '',"
    " attempts INTEGER NOT NULL DEFAULT 0,"
    " provider_id TEXT NOT NULL DEFAULT '',"
    " planned_for INTEGER NOT NULL,"
    " next_attempt_at INTEGER,"
    " lease_owner TEXT NOT NULL DEFAULT '',"
    " lease_until INTEGER,"
    " sent_at INTEGER,"
    " delivered_at INTEGER,"
    " read_at INTEGER,"
    " cost INTEGER NOT NULL DEFAULT 0,"
    " created_at INTEGER NOT NULL,"
    " updated_at INTEGER NOT NULL,"
    " handed_at INTEGER"
    ") STRICT;"
    "INSERT INTO messages_new (id, idempotency_key, customer_id, invoice_id, cadence, cadence_version, source_kind,"
    " source_id, channel, fallbacks, template, subject, body, html, payload, status, reason, attempts, provider_id,"
    " planned_for, next_attempt_at, lease_owner, lease_until, sent_at, delivered_at, read_at, cost, created_at,"
    " updated_at, handed_at)"
    " SELECT id, idempotency_key, customer_id, invoice_id, cadence, cadence_version, source_kind,"
    " source_id, channel, fallbacks, template, subject, body, html, payload, status, reason, attempts, provider_id,"
    " planned_for, next_attempt_at, lease_owner, lease_until, sent_at, delivered_at, read_at, cost, created_at,"
    " updated_at, handed_at FROM messages;"
    "DROP TABLE messages;"
    "ALTER TABLE messages_new RENAME TO messages;"
    "CREATE INDEX messages_pending ON messages (next_attempt_at) WHERE status IN ('queued', 'sending');"
    "CREATE INDEX messages_customer ON messages (customer_id, planned_for);"
    "CREATE INDEX messages_invoice ON messages (invoice_id) WHERE invoice_id IS NOT NULL;"
    "CREATE INDEX messages_provider ON messages (provider_id) WHERE provider_id <> '';"
    "CREATE INDEX messages_outbox ON messages (channel, next_attempt_at) WHERE status = 'queued';"
    "CREATE INDEX messages_leased ON messages (lease_until) WHERE status = 'sending';"
    "CREATE INDEX messages_uncertain ON messages (updated_at) WHERE status = 'uncertain';"
    "CREATE TABLE trigger_timers_new ("
    " id INTEGER PRIMARY KEY,"
    " cadence TEXT NOT NULL,"
    " trigger_id TEXT NOT NULL,"
    " event_id INTEGER NOT NULL REFERENCES events(id),"
    " customer_id INTEGER NOT NULL REFERENCES customers(id),"
    " invoice_id INTEGER REFERENCES invoices(id),"
    " fire_at INTEGER NOT NULL,"
    " status TEXT NOT NULL DEFAULT 'waiting' CHECK (status = 'waiting' OR status = 'fired' OR status = 'cancelled'),"
    " reason TEXT NOT NULL DEFAULT '',"
    " created_at INTEGER NOT NULL,"
    " done_at INTEGER,"
    " UNIQUE (cadence, trigger_id, event_id)"
    ") STRICT;"
    "INSERT INTO trigger_timers_new (id, cadence, trigger_id, event_id, customer_id, invoice_id, fire_at, status,"
    " reason, created_at, done_at)"
    " SELECT id, cadence, trigger_id, event_id, customer_id, invoice_id, fire_at, status, reason, created_at, done_at"
    " FROM trigger_timers;"
    "DROP TABLE trigger_timers;"
    "ALTER TABLE trigger_timers_new RENAME TO trigger_timers;"
    "CREATE INDEX trigger_timers_due ON trigger_timers (fire_at) WHERE status = 'waiting';"
    "CREATE INDEX trigger_timers_customer ON trigger_timers (customer_id) WHERE status = 'waiting';"
    "CREATE INDEX trigger_timers_invoice ON trigger_timers (invoice_id) WHERE invoice_id IS NOT NULL;",
    /* (webhooks-out): the outgoing webhooks' outbox. One delivery per
     * webhook and event (its `id` is the event's: receivers de-duplicate
     * on it); the body is built when the event is recorded, in the same
     * transaction. pending -> sending (leased to one process until
     * lease_until) -> delivered, or back to pending with next_attempt_at
     * (failures: consecutive failed attempts, for the backoff), or failed.
     * Each attempt is a row of webhook_attempts (http_status NULL: no
     * answer; error scrubbed). */
    "CREATE TABLE webhook_deliveries ("
    " id INTEGER PRIMARY KEY,"
    " webhook TEXT NOT NULL,"
    " event_id INTEGER NOT NULL REFERENCES events(id),"
    " event_type TEXT NOT NULL,"
    " body TEXT NOT NULL,"
    " status TEXT NOT NULL DEFAULT 'pending'"
    "  CHECK (status = 'pending' OR status = 'sending' OR status = 'delivered' OR status = 'failed'),"
    " attempts INTEGER NOT NULL DEFAULT 0,"
    " failures INTEGER NOT NULL DEFAULT 0,"
    " next_attempt_at INTEGER NOT NULL,"
    " lease_owner TEXT NOT NULL DEFAULT '',"
    " lease_until INTEGER,"
    " last_status INTEGER,"
    " last_error TEXT NOT NULL DEFAULT '',"
    " delivered_at INTEGER,"
    " created_at INTEGER NOT NULL,"
    " updated_at INTEGER NOT NULL,"
    " UNIQUE (webhook, event_id)"
    ") STRICT;"
    "CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';"
    "CREATE INDEX webhook_deliveries_leased ON webhook_deliveries (lease_until) WHERE status = 'sending';"
    "CREATE TABLE webhook_attempts ("
    " id INTEGER PRIMARY KEY,"
    " delivery_id INTEGER NOT NULL REFERENCES webhook_deliveries(id),"
    " at INTEGER NOT NULL,"
    " http_status INTEGER,"
    " error TEXT NOT NULL DEFAULT ''"
    ") STRICT;"
    "CREATE INDEX webhook_attempts_delivery ON webhook_attempts (delivery_id);",
    /* 14 (api-core): the REST API's keys — only the SHA-256 of a key is
     * kept, beside a short visible prefix to tell keys apart — and the
     * Idempotency-Key of each POST/PATCH per API key: the request's
     * fingerprint (SHA-256 of method, path and body) and the first answer,
     * replayed for 24 h. status 0 is a request still running. api_keys
     * (from migration 1, never written until now) is rebuilt: last_used_at,
     * a default name, the role's CHECK as an OR chain (see 12). */
    "CREATE TABLE api_keys_new ("
    " id INTEGER PRIMARY KEY,"
    " name TEXT NOT NULL DEFAULT '',"
    " role TEXT NOT NULL CHECK (role = 'admin' OR role = 'operator' OR role = 'viewer'),"
    " prefix TEXT NOT NULL,"
    " key_hash TEXT NOT NULL UNIQUE,"
    " created_at INTEGER NOT NULL,"
    " revoked_at INTEGER,"
    " last_used_at INTEGER"
    ") STRICT;"
    "INSERT INTO api_keys_new (id, name, role, prefix, key_hash, created_at, revoked_at)"
    " SELECT id, name, role, prefix, key_hash, created_at, revoked_at FROM api_keys;"
    "DROP TABLE api_keys;"
    "ALTER TABLE api_keys_new RENAME TO api_keys;"
    "CREATE TABLE api_idempotency ("
    " api_key_id INTEGER NOT NULL REFERENCES api_keys(id),"
    " key TEXT NOT NULL,"
    " fingerprint TEXT NOT NULL,"
    " status INTEGER NOT NULL DEFAULT 0,"
    " content_type TEXT NOT NULL DEFAULT '',"
    " body TEXT NOT NULL DEFAULT '',"
    " created_at INTEGER NOT NULL,"
    " PRIMARY KEY (api_key_id, key)"
    ") STRICT, WITHOUT ROWID;"
    "CREATE INDEX api_idempotency_created ON api_idempotency (created_at);",
    /* 15 (agreements): installment agreements (acordos; docs/agreements.md),
     * rebuilt from migration 1's tables (never written until now): the
     * terms at creation (principal = the originals' open balances, the
     * down payment, the simple interest, the total), who made it, when it
     * closed; each invoice's role, its place (seq: 0 the down payment,
     * 1..N the installments; 0 for originals) and its amount (an
     * installment's face value, an original's balance when renegotiated). */
    "DROP TABLE agreement_invoices;"
    "DROP TABLE agreements;"
    "CREATE TABLE agreements ("
    " id INTEGER PRIMARY KEY,"
    " customer_id INTEGER NOT NULL REFERENCES customers(id),"
    " status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'completed', 'broken', 'cancelled')),"
    " installments INTEGER NOT NULL CHECK (installments > 0),"
    " principal INTEGER NOT NULL,"
    " down_payment INTEGER NOT NULL,"
    " interest INTEGER NOT NULL,"
    " total INTEGER NOT NULL,"
    " down_payment_pct INTEGER NOT NULL,"
    " interest_month_pct INTEGER NOT NULL,"
    " break_after_days INTEGER NOT NULL,"
    " source TEXT NOT NULL DEFAULT '',"
    " created_at INTEGER NOT NULL,"
    " closed_at INTEGER"
    ") STRICT;"
    "CREATE INDEX agreements_active ON agreements (id) WHERE status = 'active';"
    "CREATE INDEX agreements_customer ON agreements (customer_id);"
    "CREATE TABLE agreement_invoices ("
    " agreement_id INTEGER NOT NULL REFERENCES agreements(id),"
    " invoice_id INTEGER NOT NULL REFERENCES invoices(id),"
    " role TEXT NOT NULL CHECK (role IN ('original', 'installment')),"
    " seq INTEGER NOT NULL DEFAULT 0,"
    " amount INTEGER NOT NULL,"
    " PRIMARY KEY (agreement_id, invoice_id)"
    ") STRICT, WITHOUT ROWID;"
    "CREATE INDEX agreement_invoices_invoice ON agreement_invoices (invoice_id);",
    /* 16 (events-perf2): an event that a trigger's `unless` names reads the
     * customer's waiting timers of that trigger (rg_sqt_waiting_for_trigger):
     * with the index on customer_id alone it read every waiting timer of the
     * customer to keep those few — under a stream of portal visits, each
     * starting a timer, a number that grows with every event. Widened, not
     * added: still one index written per timer, and the customer's queries
     * use its first column. */
    "DROP INDEX trigger_timers_customer;"
    "CREATE INDEX trigger_timers_customer ON trigger_timers (customer_id, cadence, trigger_id)"
    " WHERE status = 'waiting';",
    /* 17 (portal-actions): the due date an invoice had before the portal's
     * "Prorrogar vencimento" moved it (once: NULL, never extended). */
    "ALTER TABLE invoices ADD COLUMN extended_from INTEGER;",
    /* 18 (reports): what service/reports.c reads, each report one pass over
     * an index that holds every column it needs (docs/reports.md,
     * docs/BENCHMARKS.md "Reports"): open invoices by due date with their
     * cadence, tags and balance (aging, DSO); every invoice by due date
     * (recovery: what became overdue); invoices by the day they were paid
     * and payments by instant (recovery, the funnels' paid, attribution);
     * messages by the instant they were sent (the funnels), each invoice's
     * messages by that instant (paid after which message, the last touch
     * before a payment); promises by when made. Opens and clicks are read
     * through events_type_at. */
    "CREATE INDEX invoices_report_open ON invoices (due_date, progress_cadence, tags, amount, paid)"
    " WHERE status = 'open';"
    "CREATE INDEX invoices_report_due ON invoices (due_date, status, paid_on, amount, paid);"
    "CREATE INDEX payments_paid_at ON payments (paid_at, invoice_id, amount);"
    "CREATE INDEX invoices_paid_on ON invoices (paid_on) WHERE paid_on IS NOT NULL;"
    "CREATE INDEX messages_report_sent ON messages (sent_at, cadence, source_id, channel, delivered_at, read_at, cost)"
    " WHERE sent_at IS NOT NULL;"
    "CREATE INDEX messages_invoice_sent ON messages (invoice_id, sent_at, cadence, source_id, channel)"
    " WHERE sent_at IS NOT NULL;"
    "CREATE INDEX promises_created ON promises (created_at, status, amount);",
    /* 19 (dashboard): the web dashboard's users (email, role, Argon2id
     * password hash from libsodium's crypto_pwhash_str), their sessions
     * (only the SHA-256 of a session's cookie is kept) and the failed
     * logins of the last day (the login rate limit). service/users.h. */
    "CREATE TABLE users ("
    " id INTEGER PRIMARY KEY,"
    " email TEXT NOT NULL UNIQUE,"
    " role TEXT NOT NULL CHECK (role = 'admin' OR role = 'operator' OR role = 'viewer'),"
    " password_hash TEXT NOT NULL,"
    " created_at INTEGER NOT NULL,"
    " disabled_at INTEGER,"
    " last_login_at INTEGER"
    ") STRICT;"
    "CREATE TABLE user_sessions ("
    " token_hash TEXT PRIMARY KEY,"
    " user_id INTEGER NOT NULL REFERENCES users(id),"
    " created_at INTEGER NOT NULL,"
    " expires_at INTEGER NOT NULL"
    ") STRICT, WITHOUT ROWID;"
    "CREATE INDEX user_sessions_user ON user_sessions (user_id);"
    "CREATE INDEX user_sessions_expires ON user_sessions (expires_at);"
    "CREATE TABLE login_failures ("
    " id INTEGER PRIMARY KEY,"
    " email TEXT NOT NULL,"
    " ip TEXT NOT NULL,"
    " at INTEGER NOT NULL"
    ") STRICT;"
    "CREATE INDEX login_failures_email ON login_failures (email, at);"
    "CREATE INDEX login_failures_ip ON login_failures (ip, at);",
    /* 20 (reports-perf): the funnels' summary (docs/reports.md "How they
     * stay fast"), kept by triggers in the statement that changes what it
     * counts — whatever code path writes the row — and backfilled here from
     * the rows there are. report_funnel: the messages sent in each quarter
     * hour (slot = sent_at / 900: a period's bounds are quarter hours in
     * every zone) by cadence, step and channel — sent, delivered, read,
     * opened or clicked (messages.opened_at: the first email.opened or
     * link.clicked event naming it), cost, and the count of them whose
     * invoice was paid d days after the UTC day they were sent, in classes
     * d = -1, 0, 1..6, 7, 8, 9+ (the report turns them into "paid within 7
     * days" and "paid" in the company's zone: its day of sending is the UTC
     * day or one either side, the same for a whole slot).
     * report_due (recovery): the invoices not cancelled by due date and
     * payment date — count, amounts, min(paid, amount) — and
     * payments.due_date, its invoice's, for payments_report.
     * report_attribution: the payments of each quarter hour (paid_at / 900)
     * by their last touch (payments.touch_id: the last message sent for the
     * invoice at or before the payment; touched 0 and '' keys: none).
     * Payments are never updated or deleted but for touch_id and due_date
     * (set by these triggers alone: there is no trigger on updating
     * payments, whose multi-row UPDATE would then need a temporary b-tree).
     * The indexes of migration 18 these replace are dropped (two were
     * written on every send).
     * A migration that rebuilds messages, payments, events or invoices must
     * create these triggers again. */
    "ALTER TABLE messages ADD COLUMN opened_at INTEGER;"
    "ALTER TABLE payments ADD COLUMN touch_id INTEGER;"
    "ALTER TABLE payments ADD COLUMN due_date INTEGER;"
    "CREATE TABLE report_funnel ("
    " slot INTEGER NOT NULL,"
    " cadence TEXT NOT NULL,"
    " step TEXT NOT NULL,"
    " channel TEXT NOT NULL,"
    " sent INTEGER NOT NULL DEFAULT 0,"
    " delivered INTEGER NOT NULL DEFAULT 0,"
    " engaged INTEGER NOT NULL DEFAULT 0,"
    " cost INTEGER NOT NULL DEFAULT 0,"
    " paid_m1 INTEGER NOT NULL DEFAULT 0,"
    " paid_0 INTEGER NOT NULL DEFAULT 0,"
    " paid_1_6 INTEGER NOT NULL DEFAULT 0,"
    " paid_7 INTEGER NOT NULL DEFAULT 0,"
    " paid_8 INTEGER NOT NULL DEFAULT 0,"
    " paid_9 INTEGER NOT NULL DEFAULT 0,"
    " PRIMARY KEY (slot, cadence, step, channel)"
    ") STRICT, WITHOUT ROWID;"
    "CREATE TABLE report_attribution ("
    " slot INTEGER NOT NULL,"
    " touched INTEGER NOT NULL,"
    " cadence TEXT NOT NULL,"
    " step TEXT NOT NULL,"
    " channel TEXT NOT NULL,"
    " payments INTEGER NOT NULL DEFAULT 0,"
    " amount INTEGER NOT NULL DEFAULT 0,"
    " PRIMARY KEY (slot, touched, cadence, step, channel)"
    ") STRICT, WITHOUT ROWID;"
    "CREATE TABLE report_due ("
    " due_date INTEGER NOT NULL,"
    " paid INTEGER NOT NULL,"
    " paid_on INTEGER NOT NULL,"
    " invoices INTEGER NOT NULL DEFAULT 0,"
    " amount INTEGER NOT NULL DEFAULT 0,"
    " recovered INTEGER NOT NULL DEFAULT 0,"
    " PRIMARY KEY (due_date, paid, paid_on)"
    ") STRICT, WITHOUT ROWID;"
    /* the backfill, before the triggers */
    "UPDATE messages SET opened_at = o.at FROM (SELECT message_id, min(at) AS at FROM events"
    " WHERE type IN ('email.opened', 'link.clicked') AND message_id IS NOT NULL GROUP BY message_id) o"
    " WHERE messages.id = o.message_id;"
    "UPDATE payments SET touch_id = " LAST_TOUCH ", due_date = (SELECT i.due_date FROM invoices i"
    " WHERE i.id = payments.invoice_id);"
    "INSERT INTO report_due (due_date, paid, paid_on, invoices, amount, recovered)"
    " SELECT due_date, paid_on IS NOT NULL, coalesce(paid_on, 0), count(*), sum(amount), sum(min(paid, amount))"
    " FROM invoices WHERE status <> 'cancelled' GROUP BY 1, 2, 3;"
    "INSERT INTO report_funnel (slot, cadence, step, channel, sent, delivered, engaged, cost,"
    " paid_m1, paid_0, paid_1_6, paid_7, paid_8, paid_9)"
    " SELECT slot, cadence, source_id, channel, count(*), sum(delivered_at IS NOT NULL),"
    " sum(read_at IS NOT NULL OR opened_at IS NOT NULL), sum(cost), sum(d = -1), sum(d = 0),"
    " sum(d BETWEEN 1 AND 6), sum(d = 7), sum(d = 8), sum(d >= 9)"
    " FROM (SELECT m.sent_at / 900 AS slot, m.cadence, m.source_id, m.channel, m.delivered_at, m.read_at,"
    "  m.opened_at, m.cost, coalesce(i.paid_on - m.sent_at / 86400, -99) AS d"
    "  FROM messages m LEFT JOIN invoices i ON i.id = m.invoice_id WHERE m.sent_at IS NOT NULL)"
    " GROUP BY slot, cadence, source_id, channel;"
    "INSERT INTO report_attribution (slot, touched, cadence, step, channel, payments, amount)"
    " SELECT p.paid_at / 900, m.id IS NOT NULL, coalesce(m.cadence, ''), coalesce(m.source_id, ''),"
    " coalesce(m.channel, ''), count(*), sum(p.amount)"
    " FROM payments p LEFT JOIN messages m ON m.id = p.touch_id GROUP BY 1, 2, 3, 4, 5;"
    "DROP INDEX messages_report_sent;"
    "DROP INDEX messages_invoice_sent;"
    "DROP INDEX invoices_paid_on;"
    "DROP INDEX invoices_report_due;"
    "DROP INDEX payments_paid_at;"
    "CREATE INDEX payments_report ON payments (paid_at, due_date, amount);"
    /* the promises report's agreements, by when made */
    "CREATE INDEX agreements_created ON agreements (created_at, status, total);"
    /* a message: its row in the funnel out with the old values, in with the
     * new; a send (or a move of sent_at or invoice) re-attributes the
     * invoice's payments it may now be, or no longer be, the last touch of */
    "CREATE TRIGGER report_message_insert AFTER INSERT ON messages WHEN new.sent_at IS NOT NULL BEGIN "
    FUNNEL_ADD("new", "1") "; "
    "END;"
    /* (apart, so that a send with no payment after it costs one probe) */
    "CREATE TRIGGER report_message_insert_touch AFTER INSERT ON messages WHEN new.sent_at IS NOT NULL"
    " AND EXISTS (SELECT 1 FROM payments p WHERE " AFTER_SEND("p") ") BEGIN "
    RETOUCH(AFTER_SEND)
    "END;"
    "CREATE TRIGGER report_message_update AFTER UPDATE OF sent_at, delivered_at, read_at, opened_at, cost, cadence,"
    " source_id, channel, invoice_id ON messages"
    " WHEN old.sent_at IS NOT new.sent_at OR old.invoice_id IS NOT new.invoice_id OR (old.sent_at IS NOT NULL AND ("
    " (old.delivered_at IS NULL) <> (new.delivered_at IS NULL) OR (old.read_at IS NULL) <> (new.read_at IS NULL)"
    " OR (old.opened_at IS NULL) <> (new.opened_at IS NULL) OR old.cost <> new.cost OR " KEY_CHANGED "))"
    " BEGIN "
    FUNNEL_ADD("old", "-1") "; "
    FUNNEL_ADD("new", "1") "; "
    "END;"
    "CREATE TRIGGER report_message_update_touch AFTER UPDATE OF sent_at, cadence, source_id, channel, invoice_id"
    " ON messages WHEN (old.sent_at IS NOT new.sent_at OR old.invoice_id IS NOT new.invoice_id OR " KEY_CHANGED ")"
    " AND (EXISTS (SELECT 1 FROM payments p WHERE p.invoice_id = old.invoice_id)"
    " OR EXISTS (SELECT 1 FROM payments p WHERE p.invoice_id = new.invoice_id)) BEGIN "
    ATTRIBUTION_MOVE("old", "-1") "; "
    ATTRIBUTION_MOVE("new", "1") "; "
    RETOUCH(WAS_TOUCH)
    RETOUCH(MOVED_SEND)
    "END;"
    /* an invoice paid (or its payment date moved): its messages change class */
    "CREATE TRIGGER report_invoice_paid AFTER UPDATE OF paid_on ON invoices WHEN old.paid_on IS NOT new.paid_on BEGIN "
    "INSERT INTO report_funnel (slot, cadence, step, channel, paid_m1, paid_0, paid_1_6, paid_7, paid_8, paid_9)"
    " SELECT slot, cadence, source_id, channel, (dn = -1) - (dp = -1), (dn = 0) - (dp = 0),"
    " (dn BETWEEN 1 AND 6) - (dp BETWEEN 1 AND 6), (dn = 7) - (dp = 7), (dn = 8) - (dp = 8), (dn >= 9) - (dp >= 9)"
    " FROM (SELECT sent_at / 900 AS slot, cadence, source_id, channel,"
    "  coalesce(new.paid_on - sent_at / 86400, -99) AS dn, coalesce(old.paid_on - sent_at / 86400, -99) AS dp"
    "  FROM messages WHERE invoice_id = new.id AND sent_at IS NOT NULL)"
    " WHERE true ON CONFLICT DO UPDATE SET " PAID_SUMS "; "
    "END;"
    /* recovery: the invoices by due date and payment date (report_due),
     * each payment's copy of its invoice's due date */
    "CREATE TRIGGER report_invoice_insert AFTER INSERT ON invoices BEGIN " DUE_ADD("new", "1") "; END;"
    "CREATE TRIGGER report_invoice_due AFTER UPDATE OF due_date, paid_on, status, amount, paid ON invoices"
    " WHEN old.due_date <> new.due_date OR old.paid_on IS NOT new.paid_on OR old.status <> new.status"
    " OR old.amount <> new.amount OR old.paid <> new.paid BEGIN "
    DUE_ADD("old", "-1") "; "
    DUE_ADD("new", "1") "; "
    "UPDATE payments SET due_date = new.due_date WHERE invoice_id = new.id AND old.due_date <> new.due_date; "
    "END;"
    /* an open or a click: the message's first one */
    "CREATE TRIGGER report_message_opened AFTER INSERT ON events"
    " WHEN new.message_id IS NOT NULL AND new.type IN ('email.opened', 'link.clicked') BEGIN "
    "UPDATE messages SET opened_at = new.at WHERE id = new.message_id AND (opened_at IS NULL OR opened_at > new.at); "
    "END;"
    /* a payment: its last touch, then its row in */
    "CREATE TRIGGER report_payment_insert AFTER INSERT ON payments BEGIN "
    "UPDATE payments SET touch_id = " LAST_TOUCH ", due_date = (SELECT i.due_date FROM invoices i"
    " WHERE i.id = new.invoice_id) WHERE id = new.id; "
    ATTRIBUTION_ADD("p.id = new.id", "1") "; "
    "END;",
    /* 21 (dash-pages): the dashboard's Canais — each channel's messages
     * counted by status from this index alone, and its last send and last
     * failure found at the end of their (channel, status) range
     * (sqlite_dash.c). */
    "CREATE INDEX messages_channel_status ON messages (channel, status);",
    /* 22 (reports-perf): recording an invoice pays nothing for the
     * reports again: migration 20's report_due, kept by a trigger on every
     * invoice inserted (a third more instructions in an import, under
     * callgrind), goes; recovery reads the invoices due in its period from
     * invoices_report_due, as after migration 18 (one index entry per
     * invoice). Payments keep their copy of the invoice's due date. And
     * messages.opened_at is set by the store where it records an open or a
     * click (sqlite.c sq_event_add), not by a trigger on events: SQLite runs
     * a trigger's program — its WHEN inside — for every row, and every event
     * paid ~26 k instructions for it. */
    "DROP TRIGGER report_invoice_insert;"
    "DROP TRIGGER report_message_opened;"
    "DROP TRIGGER report_invoice_due;"
    "DROP TABLE report_due;"
    "CREATE INDEX invoices_report_due ON invoices (due_date, status, paid_on, amount, paid);"
    "CREATE TRIGGER report_invoice_due AFTER UPDATE OF due_date ON invoices WHEN old.due_date <> new.due_date BEGIN "
    "UPDATE payments SET due_date = new.due_date WHERE invoice_id = new.id; "
    "END;",
};

const int rg_schema_version = (int)(sizeof rg_schema_migrations / sizeof rg_schema_migrations[0]);
