-- KPIs per order date (the UTC date the order was placed).
{{ kpi_model(['order_date']) }}
