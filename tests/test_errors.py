"""Errors answer in the caller's format and language, never with a stack trace."""

import pytest


def test_unknown_page_is_a_404_page_in_chinese(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404 and "页面不存在" in response.get_data(as_text=True)


def test_unknown_api_path_is_json_in_english_on_request(client):
    response = client.get("/api/nothing", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert response.status_code == 404
    assert response.get_json() == {"error": "not_found", "message": "This page does not exist."}


def test_an_unexpected_failure_shows_a_message_not_a_trace(app, client):
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.get("/boom")
    def boom():
        raise RuntimeError("secret internals")

    response = client.get("/boom")
    body = response.get_data(as_text=True)
    assert response.status_code == 500 and "secret internals" not in body and "Traceback" not in body
    assert "出了点问题" in body


def test_language_choice_is_remembered(client):
    client.get("/auth/sign-in?lang=en")
    assert "Send code" in client.get("/auth/sign-in").get_data(as_text=True)
    client.get("/auth/sign-in?lang=zh")
    assert "发送验证码" in client.get("/auth/sign-in").get_data(as_text=True)


@pytest.mark.parametrize(
    "header, word", [("zh-CN,zh;q=0.9", "发送验证码"), ("en-US,en;q=0.8", "Send code"), ("fr-FR", "发送验证码")]
)
def test_accept_language_picks_the_language(client, header, word):
    assert word in client.get("/auth/sign-in", headers={"Accept-Language": header}).get_data(as_text=True)
