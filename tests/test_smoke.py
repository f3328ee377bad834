from tests.support.http import login


def test_login_and_me(client):
    login(client, "330106-court")
    me = client.get("/api/v1/me").get_json()
    assert me["username"] == "330106-court"
    assert me["organ"]["name_zh"] == "西湖区人民法院"
