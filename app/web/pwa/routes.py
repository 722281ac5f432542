"""Files served from the site root: the Workbox-built service worker, the manifest, the offline page and the
public keys (/.well-known/jwks.json)."""

from pathlib import Path

from flask import current_app, jsonify, render_template, send_from_directory, url_for
from flask_babel import gettext as _

from app.infra import keys
from app.web.pwa import bp


@bp.get("/sw.js")
def service_worker():
    """The built worker; never cached by HTTP so updates reach devices at once."""
    static = Path(current_app.static_folder)
    if not (static / "sw.js").exists():
        raise RuntimeError("app/static/sw.js is missing: run `make build` (npm run build)")
    response = send_from_directory(static, "sw.js", mimetype="application/javascript", max_age=0)
    response.headers["Cache-Control"] = "no-cache"
    response.headers["Service-Worker-Allowed"] = "/"
    return response


@bp.get("/manifest.webmanifest")
def manifest():
    """Web app manifest: name, icons, standalone display, start at the code page."""
    response = current_app.json.response(
        {
            "name": _("OneCode health code"),
            "short_name": _("OneCode"),
            "lang": "zh-CN",
            "start_url": url_for("resident.index"),  # residents land on their code, wardens on the scanner
            "scope": "/",
            "display": "standalone",
            "background_color": "#ffffff",
            "theme_color": "#1b6e3c",
            "icons": [
                {"src": url_for("static", filename="icons/icon-192.png"), "sizes": "192x192", "type": "image/png"},
                {"src": url_for("static", filename="icons/icon-512.png"), "sizes": "512x512", "type": "image/png"},
                {
                    "src": url_for("static", filename="icons/icon-512.png"),
                    "sizes": "512x512",
                    "type": "image/png",
                    "purpose": "maskable",
                },
            ],
        }
    )
    response.mimetype = "application/manifest+json"
    return response


@bp.get("/offline")
def offline():
    """Shown by the service worker when a page is neither online nor cached."""
    return render_template("offline.html")


@bp.get("/.well-known/jwks.json")
def jwks():
    """Public keys that verify every code still in circulation."""
    response = jsonify({"keys": keys.published_jwks()})
    response.headers["Cache-Control"] = "public, max-age=300"
    return response
