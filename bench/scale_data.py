"""A year of leads for bench/scale_bench.py: a PostgreSQL database filled as a publisher's
would be after 13 months, made in the database itself with one bulk statement per table.

9 schools, 72 campuses, 578 listings (a fifth of them online), and N leads spread evenly
over the 395 days up to now, the schools taking from 20% down to 5% of them. Every 20th lead
is a repeat (same email and listing a few leads later, not billable), every 50th is rejected,
2% are returned (most returns decided: approved ones not billable), a third of the others
have an outcome, and a weekly export has marked every billable lead older than its run (with
the export items and history rows that marking writes). Each lead not a repeat has its
webhook delivery and attempt; each listing has its daily impressions and form views; there is
one search per lead. Names, emails and phones are made up (example.com, .net, .org).
"""

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DAYS = 395
SCHOOLS = 9
LISTINGS = 578
# Metros of the campuses: (ZIP, area code). Lead capture is timed at the first.
METROS = [
    ("60601", "312"),
    ("10001", "212"),
    ("90012", "213"),
    ("77002", "713"),
    ("85004", "602"),
    ("19107", "215"),
    ("78205", "210"),
    ("92101", "619"),
]
# Each school's share of the leads, in percent (school 1 the largest).
SHARES = [20, 16, 14, 12, 10, 9, 8, 6, 5]
FIRST_NAMES = (  # noqa: SIM905 (a list of words is easier to read as text)
    "James Mary Robert Patricia John Jennifer Michael Linda David Elizabeth William Barbara "
    "Richard Susan Joseph Jessica Thomas Sarah Charles Karen Christopher Lisa Daniel Nancy "
    "Matthew Betty Anthony Sandra Mark Margaret Donald Ashley Steven Kimberly Andrew Emily "
    "Paul Donna Joshua Michelle Kenneth Carol Kevin Amanda Brian Melissa George Deborah "
    "Timothy Stephanie Ronald Rebecca Jason Sharon Edward Laura Jeffrey Cynthia Ryan Amy "
    "Jacob Kathleen Gary Angela Nicholas Shirley Eric Brenda Jonathan Emma Stephen Anna Larry "
    "Pamela Justin Nicole Scott Samantha Brandon Katherine Benjamin Christine Samuel Debra "
    "Gregory Rachel Alexander Carolyn Patrick Janet Frank Maria Raymond Olivia José Zoë"
).split()
LAST_NAMES = (  # noqa: SIM905 (a list of words is easier to read as text)
    "Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez "
    "Lopez Gonzalez Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson "
    "White Harris Sanchez Clark Ramirez Lewis Robinson Walker Young Allen King Wright Scott "
    "Torres Nguyen Hill Flores Green Adams Nelson Baker Hall Rivera Campbell Mitchell Carter "
    "Roberts Gomez Phillips Evans Turner Diaz Parker Cruz Edwards Collins Reyes Stewart "
    "Morris Morales Murphy Cook Rogers Gutierrez Ortiz Morgan Cooper Peterson Bailey Reed "
    "Kelly Howard Ramos Kim Cox Ward Richardson Watson Brooks Chavez Wood James Bennett Gray "
    "Mendoza Ruiz Hughes Price Alvarez Castillo Sanders Patel Myers Long Ross Foster Jimenez "
    "Powell Jenkins Perry Russell Sullivan Bell Coleman Butler Henderson Barnes Gonzales "
    "Fisher Vasquez Simmons Romero Jordan Patterson Alexander Hamilton Graham Reynolds "
    "Griffin Wallace Moreno West Cole Hayes Bryant Herrera Gibson Ellis Tran Medina Aguilar "
    "Stevens Murray Ford Castro Marshall Owens Harrison Fernandez McDonald Woods Washington "
    "Kennedy Wells Vargas Henry Chen Freeman Webb Tucker Guzman Burns Crawford Olson Simpson "
    "Porter Hunter Gordon Mendez Silva Shaw Snyder Mason Dixon Muñoz Hunt Hicks Holmes Palmer "
    "Wagner Black Robertson Boyd Rose Stone Salazar Fox Warren Mills Meyer Rice Schmidt Garza "
    "Daniels Ferguson Nichols Stephens Soto Weaver Ryan Gardner Payne Grant Dunn Kelley "
    "Spencer Hawkins Arnold Pierce Vazquez Hansen Peters Santos Hart Bradley O'Neil"
).split()
CAMPAIGNS = [
    "brand-search",
    "generic-healthcare-careers",
    "medical-office-manager",
    "medical-assistant",
    "nursing",
    "retargeting",
    "social-spring",
    "social-fall",
    "",
    "",
]
CONSENT = (
    "By ticking this box, I agree that {school} may contact me about its programs at the "
    "email address and phone number I have given, by email, phone calls and text messages, "
    "including calls and texts made with automated technology or a prerecorded or artificial "
    "voice. Message and data rates may apply. My consent is not a condition of enrolling or of "
    "buying anything, and I can withdraw it at any time. Our Privacy Policy explains what we "
    "collect and why."
)
UA = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
)


def _array(values: list[str]) -> str:
    """A PostgreSQL text array literal of `values`."""
    quoted = ", ".join("'" + value.replace("'", "''") + "'" for value in values)
    return f"(ARRAY[{quoted}]::text[])"


def _hash(expression: str, salt: int) -> str:
    """A well-mixed non-negative integer from an integer expression (Knuth's multiplier)."""
    return f"((({expression})::bigint * 2654435761 + {salt * 40503}) % 4294967291)"


def statements(leads: int, now: datetime) -> list[tuple[str, str]]:
    """The (table, SQL) statements that fill a migrated database, in order."""
    start = now - timedelta(days=DAYS)
    careers = [
        c["slug"] for c in json.loads((ROOT / "portal/content/careers.json").read_text())["careers"]
    ]
    step = DAYS * 86400 / leads
    t0 = f"timestamptz '{start.isoformat()}'"
    t_now = f"timestamptz '{now.isoformat()}'"
    cumulative = []
    total = 0
    for share in SHARES:
        total += share
        cumulative.append(total)
    # The school of lead i (by its base lead b: a repeat has the school of the lead it repeats).
    school_of = (
        "CASE "
        + " ".join(
            f"WHEN {_hash('b', 1)} % 100 < {bound} THEN {n + 1}"
            for n, bound in enumerate(cumulative[:-1])
        )
        + f" ELSE {SCHOOLS} END"
    )
    # Listing id: school s has the listings s, s + 9, s + 18, ... (64 each).
    listing_of = f"(s + {SCHOOLS} * ({_hash('b', 2)} % 64))"
    created = (
        f"{t0} + make_interval(secs => (i - 0.5) * {step}"
        f" + ({_hash('i', 3)} % 1000 - 500) * {step * 0.0009})"
    )
    # Weekly exports (k = 0, 1, ...) run at 09:00 each week; export k has the id k + 1.
    export_no = f"floor((extract(epoch FROM c) - extract(epoch FROM {t0}) - 32400) / 604800) + 1"
    export_at = f"{t0} + make_interval(secs => 32400 + 604800 * ({export_no}))"
    consent = CONSENT.replace("'", "''")
    metro_zips = _array([zip_code for zip_code, _ in METROS])
    metro_areas = _array([area for _, area in METROS])
    lead_values = f"""
        SELECT i AS id, c AS created_at, p.id AS program_id, p.school_id, p.campus_id, p.career,
          CASE WHEN dup THEN 0 ELSE sp.bid_cents END AS price_cents,
          CASE WHEN rejected THEN 'rejected'
               WHEN NOT dup AND {export_at} <= {t_now} THEN 'exported' ELSE 'new' END AS status,
          NOT (dup OR rejected OR returned_ok) AS billable,
          CASE WHEN dup THEN i - 3 END AS duplicate_of_id,
          first_name, last_name,
          lower(translate(first_name, 'éëñ', 'een')) || '.'
            || lower(translate(replace(last_name, '''', ''), 'éëñ', 'een'))
            || (b % 9973) || '@example.' || (ARRAY['com', 'net', 'org'])[1 + b % 3] AS email,
          '+1' || {metro_areas}[1 + m] || (200 + {_hash("b", 5)} % 800)
            || lpad(({_hash("b", 6)} % 10000)::text, 4, '0') AS phone_e164,
          {metro_zips}[1 + m] AS zip_code, z.state,
          (ARRAY['high_school', 'some_college', 'associate', 'bachelor', 'in_high_school'])
            [1 + {_hash("b", 7)} % 5] AS education_level,
          (ARRAY['immediately', 'within_1_month', '1_3_months', '3_6_months', 'researching'])
            [1 + {_hash("b", 8)} % 5] AS start_timeframe,
          replace('{consent}', '{{school}}', sc.name) AS consent_text,
          encode(sha256(convert_to(replace('{consent}', '{{school}}', sc.name), 'UTF8')),
            'hex') AS consent_sha256,
          c AS consented_at,
          '198.51.100.' || (i % 250) AS ip_address, '{UA}' AS user_agent,
          'https://careers.example.com/programs/' || p.id || '/request-info?zip='
            || {metro_zips}[1 + m] AS page_url,
          'https://www.google.com/' AS referrer, 'google' AS utm_source, 'cpc' AS utm_medium,
          {_array(CAMPAIGNS)}[1 + {_hash("b", 9)} % {len(CAMPAIGNS)}] AS utm_campaign,
          '' AS utm_term, '' AS utm_content,
          CASE WHEN NOT (dup OR rejected) AND {export_at} <= {t_now} THEN {export_at} END
            AS exported_at,
          CASE WHEN NOT (dup OR rejected) AND {export_at} <= {t_now} THEN {export_no} + 1 END
            AS export_id,
          CASE WHEN rejected THEN (ARRAY['test', 'invalid_contact', 'out_of_area', 'other'])
            [1 + i % 4] END AS reject_reason,
          row_number() OVER (PARTITION BY p.school_id ORDER BY i) AS school_seq,
          CASE WHEN NOT rejected AND c + interval '3 days' <= {t_now}
                    AND {_hash("i", 10)} % 100 < 35 THEN
            CASE WHEN {_hash("i", 10)} % 100 < 14 THEN 'contacted'
                 WHEN {_hash("i", 10)} % 100 < 23 THEN 'unreachable'
                 WHEN {_hash("i", 10)} % 100 < 28 THEN 'applied'
                 WHEN {_hash("i", 10)} % 100 < 31 THEN 'enrolled'
                 ELSE 'not_interested' END END AS outcome,
          (c + interval '2 days')::date AS outcome_on
        FROM (
          SELECT i, b, c, s, {listing_of} AS listing, b % {len(METROS)} AS m,
            (i % 20 = 0) AS dup, (i % 50 = 1) AS rejected,
            (i % 50 = 13 AND c + interval '5 days' <= {t_now} AND (i / 50) % 3 <> 0)
              AS returned_ok,
            {_array(FIRST_NAMES)}[1 + {_hash("b", 11)} % {len(FIRST_NAMES)}] AS first_name,
            {_array(LAST_NAMES)}[1 + {_hash("b", 12)} % {len(LAST_NAMES)}] AS last_name
          FROM (
            SELECT i, b, {created} AS c, {school_of} AS s
            FROM (SELECT i, CASE WHEN i % 20 = 0 THEN i - 3 ELSE i END AS b
                  FROM generate_series(1, {leads}) AS i) AS n
          ) AS timed
        ) AS l
        JOIN program p ON p.id = LEAST(l.listing, {LISTINGS})
        JOIN sponsorship sp ON sp.program_id = p.id
        JOIN school sc ON sc.id = p.school_id
        JOIN zip_code z ON z.code = {metro_zips}[1 + m]
    """
    lead_columns = (
        "id, created_at, program_id, school_id, campus_id, career, price_cents, status,"
        " billable, duplicate_of_id, first_name, last_name, email, phone_e164, zip_code, state,"
        " education_level, start_timeframe, consent_text, consent_sha256, consented_at,"
        " ip_address, user_agent, page_url, referrer, utm_source, utm_medium, utm_campaign,"
        " utm_term, utm_content, exported_at, export_id, reject_reason, school_seq, outcome,"
        " outcome_on"
    )
    weeks = int((DAYS * 86400 - 32400) // 604800) + 1
    return [
        (
            "school",
            f"INSERT INTO school (id, name, website, created_at, response_hours, lead_seq)"
            f" SELECT s, 'Bench College ' || chr(64 + s) || ' (fictional)',"
            f" 'https://college-' || s || '.example.org', {t0}, 24, 0"
            f" FROM generate_series(1, {SCHOOLS}) AS s",
        ),
        (
            "campus",
            f"INSERT INTO campus (id, school_id, name, address, city, state, zip_code, latitude,"
            f" longitude) SELECT (s - 1) * {len(METROS)} + m, s, z.city || ' campus',"
            f" (100 * s + m) || ' Main St', z.city, z.state, z.code, z.latitude, z.longitude"
            f" FROM generate_series(1, {SCHOOLS}) AS s, generate_series(1, {len(METROS)}) AS m"
            f" JOIN zip_code z ON z.code = {metro_zips}[m]",
        ),
        (
            "program",
            f"INSERT INTO program (id, external_id, school_id, campus_id, career, title,"
            f" credential_level, modality, duration, description, is_active, created_at,"
            f" updated_at, campus_latitude, campus_longitude, tuition_min_cents,"
            f" tuition_max_cents) SELECT p, 'BENCH-' || p, s,"
            f" CASE WHEN p % 5 = 0 THEN NULL ELSE cp.id END, career,"
            f" initcap(replace(career, '-', ' ')) || ' ' || initcap(level), level,"
            f" CASE WHEN p % 5 = 0 THEN 'online' ELSE 'campus' END, '9 months',"
            f" 'A fictional program for the benchmark.', true, {t0}, {t0},"
            f" CASE WHEN p % 5 = 0 THEN NULL ELSE cp.latitude END,"
            f" CASE WHEN p % 5 = 0 THEN NULL ELSE cp.longitude END, 900000, 1500000"
            f" FROM (SELECT p, (p - 1) % {SCHOOLS} + 1 AS s,"
            f" {_array(careers)}[1 + p % {len(careers)}] AS career,"
            f" (ARRAY['certificate', 'diploma', 'associate'])[1 + p % 3] AS level"
            f" FROM generate_series(1, {LISTINGS}) AS p) AS q"
            f" JOIN campus cp ON cp.id = (q.s - 1) * {len(METROS)} + 1 + (q.p / {SCHOOLS})"
            f" % {len(METROS)}",
        ),
        (
            "program_state",
            "INSERT INTO program_state (program_id, state) SELECT p.id, z.state"
            " FROM program p, (SELECT DISTINCT state FROM zip_code) AS z"
            " WHERE p.modality = 'online'",
        ),
        (
            "sponsorship",
            f"INSERT INTO sponsorship (program_id, bid_cents, starts_on, day_count,"
            f" month_count) SELECT p, 1500 + (p * 37 % 30) * 100, DATE '2020-01-01', 0, 0"
            f" FROM generate_series(1, {LISTINGS}) AS p",
        ),
        (
            "lead_export",
            f"INSERT INTO lead_export (id, created_at, finished_at, admin_id, actor, source,"
            f" filters, not_exported, mark_exported, state, row_count, columns, bom, per_school)"
            f" SELECT k + 1, {t0} + make_interval(secs => 32400 + 604800 * k),"
            f" {t0} + make_interval(secs => 32460 + 604800 * k), NULL, 'ops@example.com',"
            f" 'web', '{{}}', true, true, 'complete', 0, 'full', false, false"
            f" FROM generate_series(0, {weeks}) AS k"
            f" WHERE {t0} + make_interval(secs => 32400 + 604800 * k) <= {t_now}",
        ),
        ("lead", f"INSERT INTO lead ({lead_columns}) {lead_values}"),
        (
            "lead_export_item",
            "INSERT INTO lead_export_item (export_id, lead_id)"
            " SELECT export_id, id FROM lead WHERE export_id IS NOT NULL",
        ),
        (
            "lead_status_change",
            "INSERT INTO lead_status_change (lead_id, created_at, export_id, actor, from_status,"
            " to_status, reason) SELECT id, coalesce(exported_at,"
            f" least(created_at + interval '1 day', {t_now})), export_id,"
            " 'ops@example.com', 'new', status, reject_reason FROM lead"
            " WHERE status <> 'new'",
        ),
        (
            "lead_outcome",
            "INSERT INTO lead_outcome (lead_id, outcome, occurred_on, created_at, actor)"
            " SELECT id, outcome, outcome_on, outcome_on + time '15:00', 'crm@example.org'"
            " FROM lead WHERE outcome IS NOT NULL",
        ),
        (
            "lead_return",
            "INSERT INTO lead_return (lead_id, school_id, reason, text, status, requested_at,"
            " requested_by, decided_at, decided_by, decision_note)"
            " SELECT id, school_id, (ARRAY['wrong_number', 'disconnected', 'never_requested',"
            " 'outside_service_area'])[1 + id / 50 % 4], '', CASE"
            f" WHEN created_at + interval '5 days' > {t_now} THEN 'requested'"
            " WHEN (id / 50) % 3 <> 0 THEN 'approved' ELSE 'denied' END,"
            f" least(created_at + interval '2 days', {t_now}), 'admissions@example.org',"
            f" CASE WHEN created_at + interval '5 days' <= {t_now}"
            " THEN created_at + interval '5 days' END,"
            f" CASE WHEN created_at + interval '5 days' <= {t_now} THEN 'ops@example.com' END,"
            " '' FROM lead WHERE id % 50 = 13 AND id % 20 <> 0",
        ),
        (
            "destination",
            "INSERT INTO destination (id, school_id, kind, url, is_enabled, secret, created_at)"
            " SELECT id, id, 'webhook', 'https://crm-' || id || '.example.org/hooks/leads',"
            f" true, 'whsec_' || md5(id::text), {t0} FROM school",
        ),
        (
            "delivery",
            "INSERT INTO delivery (id, lead_id, destination_id, webhook_id, status, created_at,"
            " queued_at, next_attempt_at, attempts, delivered_at)"
            " SELECT id, id, school_id, 'msg_' || md5(id::text), 'delivered', created_at,"
            " created_at, created_at, 1, created_at + make_interval(secs => 1 + id % 5)"
            " FROM lead WHERE duplicate_of_id IS NULL",
        ),
        (
            "delivery_attempt",
            "INSERT INTO delivery_attempt (delivery_id, destination_id, started_at, duration_ms,"
            " succeeded, status_code, response_excerpt)"
            " SELECT id, destination_id, delivered_at - interval '300 milliseconds', 300, true,"
            " 200, '{\"received\": true}' FROM delivery",
        ),
        (
            "listing_day",
            "INSERT INTO listing_day (program_id, day, impressions, form_views)"
            f" SELECT p, ({t0} + make_interval(days => d))::date,"
            f" 40 + {_hash('p * 1000 + d', 13)} % 60, 3 + {_hash('p * 1000 + d', 14)} % 10"
            f" FROM generate_series(1, {LISTINGS}) AS p, generate_series(0, {DAYS}) AS d",
        ),
        (
            "search_log",
            "INSERT INTO search_log (created_at, zip_code, state, career, radius_miles,"
            " result_count) SELECT created_at - interval '2 minutes', zip_code, state,"
            " CASE WHEN id % 3 = 0 THEN career END, 50, CASE WHEN id % 17 = 0 THEN 0"
            " ELSE 1 + id % 12 END FROM lead",
        ),
        (
            "sequences",
            "SELECT setval('lead_id_seq', (SELECT max(id) FROM lead)),"
            " setval('school_id_seq', (SELECT max(id) FROM school)),"
            " setval('campus_id_seq', (SELECT max(id) FROM campus)),"
            " setval('program_id_seq', (SELECT max(id) FROM program)),"
            " setval('lead_export_id_seq', (SELECT max(id) FROM lead_export)),"
            " setval('destination_id_seq', (SELECT max(id) FROM destination)),"
            " setval('delivery_id_seq', (SELECT max(id) FROM delivery))",
        ),
        (
            "school.lead_seq",
            "UPDATE school SET lead_seq = (SELECT coalesce(max(school_seq), 0) FROM lead"
            " WHERE lead.school_id = school.id)",
        ),
        (
            "lead_export.row_count",
            "UPDATE lead_export SET row_count = (SELECT count(*) FROM lead_export_item"
            " WHERE lead_export_item.export_id = lead_export.id)",
        ),
    ]


def build(url: str, leads: int, now_iso: str) -> None:
    """Migrate the database at `url`, load the ZIP codes and fill it (run in a child process)."""
    import time

    from flask_migrate import upgrade
    from sqlalchemy import text

    from portal import create_app
    from portal.extensions import db, dispose_engines
    from portal.services.geo import load_zip_codes

    now = datetime.fromisoformat(now_iso).astimezone(UTC)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        upgrade()
        load_zip_codes()
        for table, statement in statements(leads, now):
            started = time.perf_counter()
            with db.engine.begin() as conn:
                conn.execute(text("SET LOCAL jit TO off"))
                # The lead table's indexes are made again after it is filled, as a bulk load
                # does: building one at once costs far less than growing it row by row.
                indexes = _drop_indexes(conn, "lead") if table == "lead" else []
                conn.execute(text(statement))
                conn.execute(text("SET LOCAL maintenance_work_mem TO '256MB'"))
                for definition in indexes:
                    conn.execute(text(definition))
            print(f"  {table}: {time.perf_counter() - started:.1f} s", flush=True)
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            started = time.perf_counter()
            conn.execute(text("VACUUM ANALYZE"))
            print(f"  VACUUM ANALYZE: {time.perf_counter() - started:.1f} s", flush=True)
        dispose_engines()


def _drop_indexes(conn, table: str) -> list[str]:
    """Drop the table's indexes that are not constraints; the statements that make them."""
    from sqlalchemy import text

    found = conn.execute(
        text(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = :table"
            " AND indexname NOT IN (SELECT conname FROM pg_constraint)"
        ),
        {"table": table},
    ).all()
    for name, _ in found:
        conn.execute(text(f'DROP INDEX "{name}"'))
    return [definition for _, definition in found]
