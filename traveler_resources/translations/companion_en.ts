<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en_US">
<context>
    <name>InboxWindow</name>
    <message numerus="yes">
        <source>%n message(s) with attachments</source>
        <translation>
            <numerusform>%n message with attachments</numerusform>
            <numerusform>%n messages with attachments</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>PdfViewer</name>
    <message numerus="yes">
        <source>of %n</source>
        <translation>
            <numerusform>of %n</numerusform>
            <numerusform>of %n</numerusform>
        </translation>
    </message>
</context>
</TS>
