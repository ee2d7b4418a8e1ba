-- KPIs per customer country (the customer's current country).
{{ kpi_model(['country']) }}
