"""信息处理费 under 国办函〔2020〕109号 (政府信息公开信息处理费管理办法).

按件计收: an applicant's requests in one calendar month — the 1st to 10th free, the 11th
to 30th 100 元 each, then 100 元 more per request for every further band of 10 (31st–40th
200 元, 41st–50th 300 元 …).
按量计收: one request's pages — up to 30 free, the 31st–100th page 10 元, the 101st–200th
20 元, every page above 200 40 元. Each band is charged on the part within it."""

from __future__ import annotations


def per_request_fee(nth_in_month: int) -> int:
    """按件: the fee for an applicant's nth request in a calendar month."""
    if nth_in_month < 1:
        raise ValueError("requests are counted from 1")
    if nth_in_month <= 10:
        return 0
    if nth_in_month <= 30:
        return 100
    return 100 + 100 * ((nth_in_month - 31) // 10 + 1)


def per_request_total(count: int) -> int:
    """按件: what `count` requests in one month cost together."""
    return sum(per_request_fee(k) for k in range(1, count + 1))


def per_page_fee(pages: int) -> int:
    """按量: the fee for a request of `pages` pages."""
    if pages < 0:
        raise ValueError("pages cannot be negative")
    fee = 0
    for low, high, price in ((30, 100, 10), (100, 200, 20), (200, None, 40)):
        if pages > low:
            fee += ((min(pages, high) if high else pages) - low) * price
    return fee


def fee_for(basis: str, nth_in_month: int | None = None, pages: int | None = None) -> int:
    """The fee of a fee notice: `per_request` (按件, the applicant's nth request this month)
    or `per_page` (按量, the pages of this request)."""
    if basis == "per_request":
        if nth_in_month is None:
            raise ValueError("按件计收需要申请人本月的申请件数")
        return per_request_fee(nth_in_month)
    if basis == "per_page":
        if pages is None:
            raise ValueError("按量计收需要页数")
        return per_page_fee(pages)
    raise ValueError(f"unknown fee basis {basis!r}")
