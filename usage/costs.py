"""Seed 001's cost arithmetic, done on the measured figures with the configured unit prices.

The seed: inference for a team (~$1,200/month on a shared 70B model), a few GPU-hours per
training run (~$15), adapter storage (<$1/month), so fine-tuning adds a few percent. Here
each amount comes with the formula that produced it, written out with the figures in it.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings

from .counting import Counts
from .figures import UsageReport

MILLION = Decimal(1_000_000)
GB = Decimal(1_000_000_000)
MONTH_DAYS = 30
X = "\N{MULTIPLICATION SIGN}"  # in the formulas shown


@dataclass(frozen=True)
class Prices:
    currency: str
    gpu_hour: Decimal
    prompt_per_1m: Decimal
    cached_per_1m: Decimal
    completion_per_1m: Decimal
    storage_gb_month: Decimal

    @classmethod
    def from_settings(cls) -> Prices:
        return cls(settings.USAGE_CURRENCY, Decimal(settings.USAGE_PRICE_GPU_HOUR),
                   Decimal(settings.USAGE_PRICE_PROMPT_PER_1M),
                   Decimal(settings.USAGE_PRICE_CACHED_PER_1M),
                   Decimal(settings.USAGE_PRICE_COMPLETION_PER_1M),
                   Decimal(settings.USAGE_PRICE_STORAGE_GB_MONTH))


def money(amount: Decimal, currency: str = "") -> str:
    """Cents for amounts of a unit or more; four places below, so a small test's figures
    still show."""
    places = Decimal("0.01") if abs(amount) >= 1 else Decimal("0.0001")
    text = f"{amount.quantize(places, rounding=ROUND_HALF_UP):,}"
    return f"{text} {currency}".strip()


@dataclass(frozen=True)
class Cost:
    amount: Decimal
    formula: str

    def text(self, currency: str) -> str:
        return money(self.amount, currency)


def training_cost(compute_seconds: float, prices: Prices) -> Cost:
    hours = Decimal(str(compute_seconds)) / 3600
    amount = hours * prices.gpu_hour
    return Cost(amount, f"{hours:.4f} GPU-hours ({compute_seconds:,.0f} s ÷ 3600) {X} "
                        f"{prices.gpu_hour} {prices.currency}/GPU-hour = "
                        f"{money(amount, prices.currency)}")


def inference_cost(calls: Counts, prices: Prices) -> Cost:
    cached = min(calls.cached_tokens, calls.prompt_tokens)  # reported as part of the prompt
    uncached = calls.prompt_tokens - cached
    amount = (Decimal(uncached) * prices.prompt_per_1m + Decimal(cached) * prices.cached_per_1m
              + Decimal(calls.completion_tokens) * prices.completion_per_1m) / MILLION
    return Cost(amount, f"({uncached:,} uncached prompt tokens {X} {prices.prompt_per_1m} + "
                        f"{cached:,} cached prompt tokens {X} {prices.cached_per_1m} + "
                        f"{calls.completion_tokens:,} completion tokens {X} "
                        f"{prices.completion_per_1m}) ÷ 1,000,000 = "
                        f"{money(amount, prices.currency)}")


def storage_cost(size_bytes: int, days: int, prices: Prices) -> Cost:
    gigabytes = Decimal(size_bytes) / GB
    months = Decimal(days) / MONTH_DAYS
    amount = gigabytes * months * prices.storage_gb_month
    return Cost(amount, f"{gigabytes:.6f} GB {X} {months:.2f} months ({days} days ÷ "
                        f"{MONTH_DAYS}) {X} {prices.storage_gb_month} {prices.currency}/GB-month"
                        f" = {money(amount, prices.currency)}")


@dataclass(frozen=True)
class Bill:
    """The period's costs, and the same scaled to a 30-day month at the measured rate."""

    days: int
    inference: Cost
    training: Cost
    storage: Cost
    per_run: list[tuple[str, Cost]]  # (run id, its cost)

    @property
    def total(self) -> Decimal:
        return self.inference.amount + self.training.amount + self.storage.amount

    @property
    def scale(self) -> Decimal:
        return Decimal(MONTH_DAYS) / Decimal(self.days)

    @property
    def monthly_inference(self) -> Decimal:
        return self.inference.amount * self.scale

    @property
    def monthly_fine_tuning(self) -> Decimal:
        """What owning an adapter adds: training and storage, per month."""
        return (self.training.amount + self.storage.amount) * self.scale

    @property
    def monthly_total(self) -> Decimal:
        return self.total * self.scale

    @property
    def overhead_percent(self) -> Decimal | None:
        """The seed's "4% overhead": fine-tuning's cost as a share of inference's."""
        if self.inference.amount == 0:
            return None
        return (100 * (self.training.amount + self.storage.amount) /
                self.inference.amount).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)

    def formulas(self, prices: Prices) -> dict[str, str]:
        c = prices.currency
        scale = f"{X} {MONTH_DAYS}/{self.days} days"
        overhead = self.overhead_percent
        return {
            "monthly_inference": f"{money(self.inference.amount, c)} {scale} = "
                                 f"{money(self.monthly_inference, c)}",
            "monthly_fine_tuning": f"({money(self.training.amount, c)} training + "
                                   f"{money(self.storage.amount, c)} storage) {scale} = "
                                   f"{money(self.monthly_fine_tuning, c)}",
            "monthly_total": f"{money(self.total, c)} {scale} = {money(self.monthly_total, c)}",
            "overhead": (f"({money(self.training.amount, c)} + {money(self.storage.amount, c)})"
                         f" ÷ {money(self.inference.amount, c)} {X} 100 = {overhead}%")
            if overhead is not None else "no inference cost in the period",
        }


def bill(report: UsageReport, prices: Prices) -> Bill:
    per_run = [(str(r.run.pk), training_cost(r.compute_seconds or 0.0, prices))
               for r in report.runs]
    return Bill(report.period.days, inference_cost(report.totals, prices),
                training_cost(report.training_seconds, prices),
                storage_cost(report.storage.total, report.period.days, prices), per_run)
