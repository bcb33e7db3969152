"""The papers of the zones in force as PDF downloads: the public list, the order annexures and
the zone sheets — all zones at once, or one zone. Every download goes through
:func:`ui.state.download` (session checked again, made in the user's language, audited)."""

from __future__ import annotations

import datetime as dt

import geopandas as gpd
import streamlit as st

from containment.field.orders import zone_orders
from containment.i18n import N_, _
from containment.render.pdf.orders import annexures_pdf, public_list_pdf
from containment.render.pdf.sheets import zone_sheets_pdf
from ui import state

PDF = "application/pdf"


def zone_papers(
    zones: gpd.GeoDataFrame,
    checkpoints: gpd.GeoDataFrame,
    centres: gpd.GeoDataFrame,
    *,
    as_of: dt.date,
    key: str,
) -> None:
    """Download buttons for the papers of the zones in force among ``zones`` (``key`` keeps
    two pages' buttons apart)."""
    district = state.district()
    orders = zone_orders(zones, checkpoints, centres, district)
    if not orders:
        st.info(_("No containment zone is in force on this day."))
        return
    stem = f"{district.name.lower()}-{as_of:%Y-%m-%d}"
    name = district.name
    columns = st.columns(3)
    with columns[0]:
        state.download(
            N_("Public zone list (PDF)"),
            lambda synthetic: public_list_pdf(
                orders, district=name, as_of=as_of, synthetic=synthetic
            ),
            file_name=f"{stem}-public-list.pdf",
            mime=PDF,
            rows=len(orders),
            key=f"{key}_public_pdf",
        )
    with columns[1]:
        state.download(
            N_("Order annexures, every zone (PDF)"),
            lambda synthetic: annexures_pdf(
                orders, district=name, as_of=as_of, synthetic=synthetic
            ),
            file_name=f"{stem}-annexures.pdf",
            mime=PDF,
            rows=len(orders),
            key=f"{key}_annexures_pdf",
        )
    with columns[2]:
        state.download(
            N_("Zone sheets, every zone (PDF)"),
            lambda synthetic: zone_sheets_pdf(orders, district, as_of=as_of, synthetic=synthetic),
            file_name=f"{stem}-zone-sheets.pdf",
            mime=PDF,
            rows=len(orders),
            key=f"{key}_sheets_pdf",
        )
    names = {order.zone_id: order.name for order in orders}
    chosen = st.selectbox(
        _("One zone's papers"), list(names), format_func=names.__getitem__, key=f"{key}_zone"
    )
    one = [order for order in orders if order.zone_id == chosen]
    left, right = st.columns(2)
    with left:
        state.download(
            N_("Order annexure of this zone (PDF)"),
            lambda synthetic: annexures_pdf(one, district=name, as_of=as_of, synthetic=synthetic),
            file_name=f"{stem}-annexure-{chosen}.pdf",
            mime=PDF,
            rows=1,
            key=f"{key}_annexure_one",
        )
    with right:
        state.download(
            N_("Sheet of this zone (PDF)"),
            lambda synthetic: zone_sheets_pdf(one, district, as_of=as_of, synthetic=synthetic),
            file_name=f"{stem}-zone-sheet-{chosen}.pdf",
            mime=PDF,
            rows=1,
            key=f"{key}_sheet_one",
        )
