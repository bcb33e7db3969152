"""The Streamlit pages of Containment Planner. UI only: the work is done by ``containment``."""
