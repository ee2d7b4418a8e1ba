{#- The fields of the staged raw relation of one entity, by position: field_1 ... field_<n>
    (raw_field_count of its declared columns). -#}
{% macro bronze_raw_fields(entity) %}
    {%- set fields = [] -%}
    {%- for position in range(1, raw_field_count(raw_source_columns(entity) | length) + 1) -%}
        {%- do fields.append('field_' ~ position) -%}
    {%- endfor -%}
    {{ return(fields) }}
{% endmacro %}
