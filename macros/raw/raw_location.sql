{#- The folder (or s3:// prefix) that holds every batch of one raw entity. -#}
{% macro raw_location(entity) -%}
    {{ var('raw_root').rstrip('/') }}/{{ entity }}
{%- endmacro %}
