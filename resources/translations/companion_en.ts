<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en_US">
<context>
    <name>PdfViewer</name>
    <message numerus="yes">
        <location filename="../../companion/ui/content_views.py" line="331"/>
        <source>of %n</source>
        <translation>
            <numerusform>of %n</numerusform>
            <numerusform>of %n</numerusform>
        </translation>
    </message>
</context>
</TS>
