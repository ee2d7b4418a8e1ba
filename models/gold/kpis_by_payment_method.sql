-- KPIs per payment method of the order.
{{ kpi_model(['payment_method']) }}
