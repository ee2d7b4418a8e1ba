-- KPIs per customer gender (the customer's current gender).
{{ kpi_model(['gender']) }}
