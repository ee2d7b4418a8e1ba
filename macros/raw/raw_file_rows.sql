{#- What bronze selects the raw rows of one entity from (a FROM item): the staged relation of
    stage_raw_source (field_1 ... field_<n> and _file_path), or on Databricks, where nothing is
    staged, the same columns read by path. `raw_relation` is the entity's raw source
    (source('raw', entity)). -#}
{% macro raw_file_rows(raw_relation) %}
    {{ return(adapter.dispatch('raw_file_rows')(raw_relation)) }}
{% endmacro %}


{% macro default__raw_file_rows(raw_relation) -%}
    {{ raw_relation }}
{%- endmacro %}


{#- Databricks: read_files over the entity folder with the options of the local Spark target's
    CSV view (stage_raw_source): every field a string, header off, PERMISSIVE, multiLine, every
    file under the folder. Reading by path needs only READ FILES on the external location; a
    filter on _file_path (the file's _metadata) prunes the files read. -#}
{% macro databricks__raw_file_rows(raw_relation) -%}
    {%- set field_count = raw_field_count(raw_source_columns(raw_relation.identifier) | length) -%}
    (
        select
            {%- for position in range(1, field_count + 1) %}
            field_{{ position }},
            {%- endfor %}
            url_decode(replace(_metadata.file_path, '+', '%2B')) as _file_path
        from read_files(
            {{ sql_string_literal(raw_location(raw_relation.identifier) ~ '/') }},
            format => 'csv',
            schema => '
                {%- for position in range(1, field_count + 1) -%}
                field_{{ position }} string{{ ', ' if not loop.last }}
                {%- endfor -%}',
            header => false,
            mode => 'PERMISSIVE',
            multiLine => true,
            quote => '"',
            escape => '"'
        )
    ) as raw_file_rows
{%- endmacro %}
