{#- A FROM item of the lines of one raw file (`path`, as the listing gives it), read by the text
    reader (one string column, value, per line): never the CSV reader that loads the file. -#}
{% macro raw_file_lines(path) %}
    {{ return(adapter.dispatch('raw_file_lines')(path)) }}
{% endmacro %}


{% macro default__raw_file_lines(path) -%}
    text.`{{ path | replace('`', '``') }}`
{%- endmacro %}


{#- Databricks: read_files by path, as bronze reads the rows (READ FILES on the external
    location; no table over the raw zone). -#}
{% macro databricks__raw_file_lines(path) -%}
    read_files({{ sql_string_literal(path) }}, format => 'text')
{%- endmacro %}
