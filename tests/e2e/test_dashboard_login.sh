#!/bin/sh
# regua user create|list|disable; the dashboard's login page, session cookie,
# CSRF tokens, logout and login rate limit (docs/dashboard.md).
. "$(dirname "$0")/lib.sh"
cd "$T"
export REGUA_NOW=2026-11-24T12:00:00Z
regua init >/dev/null 2>&1 || { not_ok "init" "failed"; exit 0; }

# ---- users ----
printf 'senha-da-ana-1\n' | regua user create Ana@Example.COM --role admin >out 2>err
is "user create exits 0" "$?" 0
contains "user create says who" out "ana@example.com (admin)"
printf 'senha-do-vitor\n' | regua user create vitor@example.com --role viewer >/dev/null 2>&1
printf 'senha-da-olga-1\n' | regua user create olga@example.com --role operator >/dev/null 2>&1
printf 'curta\n' | expect_exit "a short password is refused" 1 regua user create bia@example.com --role viewer
contains "the error names the password" err "password is 5 bytes long; at least 10"
printf 'senha-da-ana-2\n' | expect_exit "a taken email is refused (any case)" 1 regua user create ANA@example.com --role viewer
contains "the error names the email" err "email: a user with the email ana@example.com already exists"
printf 'senha-valida-1\n' | expect_exit "a bad role is a usage error" 2 regua user create bia@example.com --role chefe
printf 'senha-valida-1\n' | expect_exit "a bad email is refused" 1 regua user create bia --role viewer
contains "the error names EMAIL" err "EMAIL: 'bia' is not an email address"
expect_exit "no password on stdin is refused" 1 regua user create bia@example.com --role viewer </dev/null
is "argon2id hashes only" "$(q "SELECT count(*) FROM users WHERE password_hash LIKE '\$argon2id\$%'")" 3
is "no password in clear" "$(q "SELECT count(*) FROM users WHERE password_hash LIKE '%senha%'")" 0
regua user list --json >users.json
/usr/bin/python3 - <<'PY' && ok "user list --json" || not_ok "user list --json" "$(cat users.json)"
import json
u = json.load(open("users.json"))
assert [x["email"] for x in u] == ["ana@example.com", "vitor@example.com", "olga@example.com"], u
assert [x["role"] for x in u] == ["admin", "viewer", "operator"]
assert all(x["disabled_at"] is None and x["last_login_at"] is None for x in u)
assert not any("hash" in k or "password" in k for x in u for k in x)
PY

# ---- login ----
port=$(free_port)
B="http://127.0.0.1:$port"
"$REGUA_BIN" serve --listen 127.0.0.1:$port >serve.log 2>&1 &
pid=$!
wait_http "$B/healthz" || not_ok "serve starts" "$(cat serve.log)"

code=$(curl -s -o /dev/null -D h0 -w '%{http_code}' "$B/")
is "/ without a session goes to the login" "$code" 303
contains "... at /login" h0 "Location: /login"

# login_as JAR EMAIL PASSWORD (lib.sh): prints the POST /login status; headers in JAR.h
# csrf_of FILE: the csrf field of a page
csrf_of() { sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p' "$1" | head -1; }

curl -s -D h1 -o login.html "$B/login"
contains "the login page is pt-BR" login.html '<html lang="pt-BR">'
contains "the login page has a password field" login.html 'type="password"'
contains "the login form carries a CSRF token" login.html 'name="csrf" value="'
grep -i '^Set-Cookie: rg_login=' h1 | grep -q 'HttpOnly; SameSite=Lax' && ok "the login cookie is HttpOnly, SameSite=Lax" || not_ok "login cookie flags" "$(cat h1)"
grep -qi 'Secure' h1 && not_ok "no Secure flag over http" "$(cat h1)" || ok "no Secure flag over http"

is "a wrong password is 401" "$(login_as bad.jar ana@example.com senha-errada-1)" 401
contains "... saying so in pt-BR" bad.jar.body "E-mail ou senha incorretos."
is "an unknown email is 401 too" "$(login_as bad.jar ninguem@example.com senha-errada-1)" 401
code=$(curl -s -o nocsrf.html -w '%{http_code}' --data 'email=ana@example.com&password=senha-da-ana-1' "$B/login")
is "a login without its CSRF token is 403" "$code" 403

is "the right password logs in (303)" "$(login_as ana.jar ANA@example.com senha-da-ana-1)" 303
contains "... to /" ana.jar.h "Location: /"
grep -i '^Set-Cookie: rg_session=' ana.jar.h | grep -q 'Path=/; Max-Age=43200; HttpOnly; SameSite=Lax' \
    && ok "the session cookie is HttpOnly, SameSite=Lax, 12 h" || not_ok "session cookie flags" "$(cat ana.jar.h)"
token=$(awk '$6 == "rg_session" {print $7}' ana.jar)
hash=$(printf '%s' "$token" | sha256sum | cut -d' ' -f1)
is "only the session's SHA-256 is stored" "$(q "SELECT count(*) FROM user_sessions WHERE token_hash = '$hash'")" 1
is "the token itself is not" "$(q "SELECT count(*) FROM user_sessions WHERE token_hash = '$token'")" 0
is "the session lasts 12 h" "$(q "SELECT expires_at - created_at FROM user_sessions")" 43200
is "the failures of a good login's email are forgotten" "$(q "SELECT count(*) FROM login_failures WHERE email = 'ana@example.com'")" 0
is "... but still count for the address" "$(q "SELECT count(*) FROM login_failures WHERE email = ''")" 1

code=$(curl -s -o home.html -b ana.jar -w '%{http_code}' "$B/")
is "/ with the session is 200" "$code" 200
contains "the overview names the user" home.html "ana@example.com (administrador)"
contains "the overview has the navigation" home.html 'href="/faturas"'
contains "the overview shows its KPIs" home.html 'id="kpi-saldo-aberto"'
code=$(curl -s -o /dev/null -b ana.jar -D h2 -w '%{http_code}' "$B/login")
is "/login with a session goes to /" "$code" 303

csrf=$(csrf_of home.html)
code=$(curl -s -o logout.html -b ana.jar -w '%{http_code}' --data "csrf=0000$csrf" "$B/logout")
is "logout with a wrong CSRF token is 403" "$code" 403
contains "... saying the form expired" logout.html "Formulário expirado"
code=$(curl -s -o /dev/null -b ana.jar -D h3 -w '%{http_code}' --data "csrf=$csrf" "$B/logout")
is "logout is 303" "$code" 303
contains "... to /login" h3 "Location: /login"
grep -i '^Set-Cookie: rg_session=;' h3 | grep -q 'Max-Age=0' && ok "logout clears the cookie" || not_ok "logout clears the cookie" "$(cat h3)"
is "logout ends the session in the store" "$(q "SELECT count(*) FROM user_sessions WHERE token_hash = '$hash'")" 0
code=$(curl -s -o /dev/null -b ana.jar -w '%{http_code}' "$B/")
is "the old cookie no longer opens pages" "$code" 303

# disabling a user ends its sessions
is "olga logs in" "$(login_as olga.jar olga@example.com senha-da-olga-1)" 303
regua user disable olga@example.com >out 2>&1
contains "user disable says so" out "disabled user 3: olga@example.com"
code=$(curl -s -o /dev/null -b olga.jar -w '%{http_code}' "$B/")
is "a disabled user's session is gone" "$code" 303
is "a disabled user cannot log in" "$(login_as olga.jar olga@example.com senha-da-olga-1)" 401
expect_exit "disabling twice is refused" 1 regua user disable olga@example.com
expect_exit "disabling an unknown user is refused" 1 regua user disable zeca@example.com

# rate limit: 5 failures for an email within 15 min, then even the right password waits
for i in 1 2 3 4; do login_as v.jar vitor@example.com "errada-$i-xxxxx" >/dev/null; done
is "the 5th failure is still a 401" "$(login_as v.jar vitor@example.com errada-5-xxxxx)" 401
is "then the right password is refused: 429" "$(login_as v.jar vitor@example.com senha-do-vitor)" 429
contains "... with Retry-After" v.jar.h "Retry-After: 900"
contains "... saying why" v.jar.body "Muitas tentativas sem sucesso"
is "another email still logs in" "$(login_as ana.jar ana@example.com senha-da-ana-1)" 303
kill -TERM $pid
wait $pid

# a user's login time is recorded
regua user list --json >users.json
/usr/bin/python3 -c 'import json; u=json.load(open("users.json")); assert u[0]["last_login_at"] == "2026-11-24T12:00:00Z" and u[2]["disabled_at"]' \
    && ok "user list shows last login and disabled" || not_ok "user list shows last login and disabled" "$(cat users.json)"

# Secure behind https
mkdir -p templates cadences
cat >>regua.yaml <<'YAML'
public_url: https://cobranca.example.com
YAML
port=$(free_port)
B="http://127.0.0.1:$port"
"$REGUA_BIN" serve --listen 127.0.0.1:$port >serve2.log 2>&1 &
pid=$!
wait_http "$B/healthz" || not_ok "serve starts again" "$(cat serve2.log)"
is "login over the https public_url" "$(login_as s.jar ana@example.com senha-da-ana-1)" 303
grep -i '^Set-Cookie: rg_session=' s.jar.h | grep -q 'HttpOnly; SameSite=Lax; Secure' \
    && ok "the session cookie is Secure when public_url is https" || not_ok "Secure cookie" "$(cat s.jar.h) $(cat serve2.log)"
kill -TERM $pid
wait $pid
