"""监督意见 pages: the organ's inbox lists its opinions beside its tickets, the organ
submits its plan and result from the opinion's page, staff evaluate there; another organ
gets 404."""

from __future__ import annotations

import re

from tests.support.http import login

CODE = "330106"


def _token(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html)[1]


def _page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def _submit(client, url: str, form: dict) -> str:
    page = _page(client, url)
    response = client.post(f"{url}/{form.pop('step')}", data={"csrf_token": _token(page), **form})
    assert response.status_code == 302
    return _page(client, url)


def test_the_court_sees_its_opinion_in_its_inbox(client, world):
    login(client, f"{CODE}-court")
    inbox = _page(client, f"/t/{CODE}/tickets")
    assert 'data-testid="inbox-opinions"' in inbox
    assert f'data-opinion-id="{world.opinions[CODE]}"' in inbox
    assert re.search(r'data-testid="opinion-count">1<', inbox)
    assert "关于提高案件结收比的审议意见" in _page(client, f"/t/{CODE}/opinions")


def test_the_court_handles_and_staff_evaluate_from_the_page(client, world):
    url = f"/t/{CODE}/opinions/{world.opinions[CODE]}"
    login(client, f"{CODE}-court")
    page = _page(client, url)
    assert 'data-testid="plan-form"' in page and 'data-testid="result-form"' not in page
    page = _submit(client, url, {"step": "plan", "text": "三项整改措施"})
    assert "已报送办理方案" in page and 'data-testid="result-form"' in page
    page = _submit(client, url, {"step": "result", "text": "整改完成"})
    assert "已报送办理结果" in page and 'data-testid="evaluate-form"' not in page

    login(client, f"{CODE}-staff")
    page = _submit(client, url, {"step": "evaluate", "grade": "not_satisfied"})
    assert "评价为不满意时须说明理由" in page  # refused: the reason is required
    page = _submit(client, url, {"step": "evaluate", "grade": "not_satisfied", "comment": "未到位"})
    assert "不满意·重新办理" in page and "第 2 轮办理" in page
    assert re.findall(r'data-action="([a-z_]+)"', page) == [
        "issue",
        "submit_plan",
        "submit_result",
        "evaluate_not_satisfied",
    ]


def test_another_organ_gets_404_and_an_empty_list(client, world):
    login(client, f"{CODE}-procuratorate")
    assert client.get(f"/t/{CODE}/opinions/{world.opinions[CODE]}").status_code == 404
    assert "暂无监督意见" in _page(client, f"/t/{CODE}/opinions")


def test_the_page_in_english(client, world):
    login(client, f"{CODE}-deputy")
    page = _page(client, f"/t/{CODE}/opinions/{world.opinions[CODE]}?lang=en")
    assert "Supervision opinions" in page and "deliberation opinions" in page
    assert "issued" in page and "evaluate-form" not in page
