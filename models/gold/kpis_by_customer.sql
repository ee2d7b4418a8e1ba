-- KPIs per customer, with their current country and gender (no names or emails in gold).
{{ kpi_model(['customer_id', 'country', 'gender']) }}
