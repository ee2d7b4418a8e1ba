{#- How many fields the staged raw relation of an entity with `declared_count` columns holds:
    the declared ones and 8 more, so that a header naming up to 8 unknown columns is reported
    by name and a row with extra fields is seen (fields past these are not kept; the row is
    rejected for its shape all the same). -#}
{% macro raw_field_count(declared_count) -%}
    {{ return(declared_count + 8) }}
{%- endmacro %}
