"""The HTTPS story, as compose serves it: plain HTTP on a school's LAN address signs in; behind a proxy that
ends TLS (HTTPS=1), cookies are Secure and browsers are told to keep to HTTPS (HSTS)."""

import re
from http.cookies import SimpleCookie

import httpx
from django.conf import settings

from conftest import compose_web

LAN = "192.168.1.20:8000"


def sign_in(url: str, host: str, **headers: str) -> httpx.Response:
    """Signs the student in as a browser would, keeping the cookies by hand: the browser speaks HTTPS to the
    proxy, so it sends its Secure cookies, although this hop is plain HTTP."""
    jar: dict[str, str] = {}
    with httpx.Client(base_url=url, headers={"Host": host, **headers}, timeout=20) as browser:

        def send(method: str, path: str, **kwargs) -> httpx.Response:
            cookie = "; ".join(f"{name}={value}" for name, value in jar.items())
            answer = browser.request(method, path, headers={"Cookie": cookie} if cookie else {}, **kwargs)
            browser.cookies.clear()
            for header in answer.headers.get_list("set-cookie"):
                parsed = SimpleCookie(header)
                jar.update({name: morsel.value for name, morsel in parsed.items()})
            return answer

        form = send("GET", "/accounts/login/")
        assert form.status_code == 200, form.status_code
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text)[1]
        signed_in = send("POST", "/accounts/login/", data={"csrfmiddlewaretoken": token, "username": "student",
                                                            "password": "correct horse 1"})  # fmt: skip
        assert signed_in.status_code == 302, signed_in.text[-1500:]
        dashboard = send("GET", "/dashboard/")
        assert dashboard.status_code == 200 and "student" in dashboard.text
        return signed_in


class HttpsTests:
    def test_compose_over_plain_http_on_a_lan_address_signs_in(self, transactional_db, student, tmp_path):
        dot_env = {"SECRET_KEY": settings.SECRET_KEY, "ALLOWED_HOSTS": "192.168.1.20"}
        with compose_web(tmp_path / "web.log", dot_env, workers=1) as url:
            signed_in = sign_in(url, LAN)
        assert "secure" not in signed_in.headers["set-cookie"].lower()
        assert "strict-transport-security" not in signed_in.headers

    def test_with_https_1_cookies_are_secure_and_hsts_is_sent(self, transactional_db, student, tmp_path):
        dot_env = {"SECRET_KEY": settings.SECRET_KEY, "ALLOWED_HOSTS": "school.example", "HTTPS": "1",
                   "TRUSTED_PROXIES": "1", "CSRF_TRUSTED_ORIGINS": "https://school.example"}  # fmt: skip
        with compose_web(tmp_path / "web.log", dot_env, workers=1) as url:
            plain = httpx.get(f"{url}/accounts/login/", headers={"Host": "school.example"}, timeout=20)
            assert plain.status_code == 301 and plain.headers["location"].startswith(
                "https://school.example/"
            )
            signed_in = sign_in(url, "school.example", **{"X-Forwarded-Proto": "https",
                                                          "Referer": "https://school.example/accounts/login/"})  # fmt: skip
        cookies = signed_in.headers.get_list("set-cookie")
        assert cookies and all("secure" in cookie.lower() for cookie in cookies)
        assert "max-age=31536000" in signed_in.headers["strict-transport-security"]
