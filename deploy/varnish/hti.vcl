# Hemtjänstindex: Varnish (Debian's varnish) in front of gunicorn, behind the TLS proxy:
#   browser -> TLS proxy (nginx, :443) -> Varnish (127.0.0.1:6081) -> gunicorn (127.0.0.1:8000).
# Each of the two proxies adds to X-Forwarded-For, so the app runs with TRUSTED_PROXIES=2.
#
# The app decides what may be kept and for how long: public results pages of public years carry
# "Cache-Control: public, max-age=N" where N never reaches past the next publication moment; every other
# answer (a 404 for a year not yet public, staff pages, forms, /healthz, /metrics) is no-store, private or
# comes with a cookie, and Varnish's built-in rules never keep those. Requests with a cookie (staff, a visitor
# with a session) always go to the app. What this file adds: no grace, so nothing is served a second past the
# moment the app gave (at 07.00 on publication day the old archive must not linger while a new one is fetched),
# and BAN: after every change staff make to what public results pages show (a follow-up link, an action plan, a
# publication moment), the app's scheduler sends `BAN /resultat` to each proxy in its VARNISH_URLS (within about a
# second), and every kept public results page is forgotten, so the change shows here too (not up to max-age later).
vcl 4.1;

# Who may send BAN: the app's own machine. Past one machine, add the address of the machine running the scheduler.
acl hti_app {
    "127.0.0.1";
    "::1";
}

backend gunicorn {
    .host = "127.0.0.1";
    .port = "8000";
    .connect_timeout = 5s;
    .first_byte_timeout = 120s;
    .between_bytes_timeout = 60s;
}

sub vcl_recv {
    if (req.method == "BAN") {
        if (client.ip !~ hti_app) {
            return (synth(403, "Forbidden"));
        }
        # Every public results page and download: the content version and the publication state are one for all.
        ban("req.url ~ ^/((api/)?resultat|sitemap\.xml)");
        return (synth(200, "Banned"));
    }
    # Monitoring reads the app itself, never a kept answer.
    if (req.url ~ "^/(healthz|metrics)(\?|$)") {
        return (pass);
    }
    # Everything else follows Varnish's built-in rules: only GET and HEAD without a cookie or a login are looked up.
}

sub vcl_backend_response {
    # An answer is never used after its max-age: no grace, no keep (the publication moment is exact).
    set beresp.grace = 0s;
    set beresp.keep = 0s;
}

sub vcl_deliver {
    # Whether Varnish answered (for the tests and the benchmark; nothing personal).
    if (obj.hits > 0) {
        set resp.http.X-Cache = "HIT";
    } else {
        set resp.http.X-Cache = "MISS";
    }
}
